#!/usr/bin/env bash
# Installs the servers the service-backed tests start (test/harness): Redis, Prometheus and Chromium from
# Debian 12's packages, and FerretDB built from the Go module proxy. Idempotent: installs only what is
# missing. The tests start their own server processes on free loopback ports, so a daemon that a package
# may start on its default port is never used.
# Usage (as root): bash scripts/install-services.sh
set -euo pipefail

die() {
  echo "install-services: $*" >&2
  exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ferretdb=${YUNSHU_CACHE:-$HOME/.cache/yunshu}/bin/ferretdb

# "command package..." pairs: each command's packages are installed when the command (or, for an
# absolute path, the file) is missing.
wanted=(
  "redis-server redis-server"
  "prometheus prometheus"
  # Chromium only recommends a font; without one, screenshots render text as boxes.
  "chromium chromium fonts-liberation"
  # The console is Chinese first: a CJK font, so screenshots show 中文 rather than boxes.
  "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc fonts-wqy-zenhei"
)
if [ ! -x "$ferretdb" ]; then
  wanted+=("curl curl ca-certificates" "unzip unzip")
fi

packages=()
for entry in "${wanted[@]}"; do
  read -r cmd pkgs <<<"$entry"
  if { [[ $cmd == /* ]] && [ ! -e "$cmd" ]; } || { [[ $cmd != /* ]] && ! command -v "$cmd" >/dev/null; }; then
    read -r -a missing <<<"$pkgs"
    packages+=("${missing[@]}")
  fi
done

if ((${#packages[@]})); then
  ((EUID == 0)) || die "run as root to install: ${packages[*]}"
  echo "install-services: installing ${packages[*]}" >&2
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  # Recommends are skipped: they add daemons (prometheus-node-exporter, upower, ...) the tests never use.
  if ! { apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends \
    "${packages[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "apt-get failed to install ${packages[*]}"
  fi
fi

if [ ! -x "$ferretdb" ]; then
  bash "$here/build-ferretdb.sh" "$ferretdb"
fi
echo "install-services: redis-server, prometheus, chromium and ferretdb ($ferretdb) are installed" >&2
