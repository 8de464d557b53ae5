#!/usr/bin/env bash
# Builds the helm CLI that test/charts runs (lint + template of charts/yunshu) from the Go module proxy,
# once, into ${YUNSHU_CACHE:-$HOME/.cache/yunshu}/bin/helm. A helm already there at this version is kept.
# Needs only Go (>= 1.21, which fetches the toolchain helm's go.mod asks for) and the Go module proxy;
# a cold build takes a few minutes on 2 cores.
# Usage: bash scripts/build-helm.sh [OUTPUT]   (prints the binary's path on stdout)
set -euo pipefail

# Latest v3 patch the proxy serves (`go list -m -versions helm.sh/helm/v3`); v3 rather than v4 because
# that is what most government clusters' operators run, and the chart uses nothing v4-only.
version=v3.22.0

die() {
  echo "build-helm: $*" >&2
  exit 1
}

out=${1:-${YUNSHU_CACHE:-$HOME/.cache/yunshu}/bin/helm}

# `helm version --template` prints exactly the version that was linked in below.
if [ -x "$out" ] && [ "$("$out" version --template '{{.Version}}' 2>/dev/null || true)" = "$version" ]; then
  echo "build-helm: helm $version already at $out" >&2
  echo "$out"
  exit 0
fi

command -v go >/dev/null || die "'go' is not installed (Debian: apt-get install golang, or a Go >= 1.21 toolchain)"
go_version=$(go env GOVERSION)
if [[ ! $go_version =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 21)); then
  die "helm $version needs Go >= 1.21 to fetch its toolchain, found '$go_version'"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/helm-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

echo "build-helm: building helm $version (a few minutes with an empty Go module cache)" >&2
start=$SECONDS
# GOBIN is a scratch dir so an interrupted build never leaves a binary that looks installed; the -X
# flag is what helm's Makefile sets, without it `helm version` reports a placeholder.
if ! GOBIN="$work/bin" CGO_ENABLED=0 go install -trimpath \
  -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
  "helm.sh/helm/v3/cmd/helm@$version" >"$work/build.log" 2>&1; then
  grep -v '^go: downloading ' "$work/build.log" | tail -n 40 >&2
  die "go install helm.sh/helm/v3/cmd/helm@$version failed"
fi
mv "$work/bin/helm" "$out.partial"
mv "$out.partial" "$out"
echo "build-helm: helm $version at $out, built in $((SECONDS - start)) s" >&2
echo "$out"
