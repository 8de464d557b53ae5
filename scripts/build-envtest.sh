#!/usr/bin/env bash
# Builds the binaries test/envtest runs — etcd, kube-apiserver and envtest-helper (certs, orphan-proof exec) —
# from the Go modules under test/envtest/go, once: they land in
#   ${YUNSHU_CACHE:-$HOME/.cache/yunshu}/envtest/k8s-<version>_etcd-<version>/bin/
# and a binary already there is not rebuilt. Needs only Go (>= 1.26, etcd 3.6.16's minimum) and the
# Go module proxy; cold (empty module and build caches) it took ~9 min on 2 cores.
# Usage: bash scripts/build-envtest.sh   (prints the bin directory on stdout)
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/test/envtest/go"

# The version of module $2 required by go.mod $1; test/envtest/envtest.ts reads it the same way.
required_version() {
  awk -v mod="$2" '{ for (i = 1; i < NF; i++) if ($i == mod) { print $(i + 1); exit } }' "$1"
}
k8s_version=$(required_version "$src/apiserver/go.mod" k8s.io/kubernetes)
etcd_version=$(required_version "$src/etcd/go.mod" go.etcd.io/etcd/server/v3)
bin="${YUNSHU_CACHE:-$HOME/.cache/yunshu}/envtest/k8s-${k8s_version}_etcd-${etcd_version}/bin"
mkdir -p "$bin"

# Static, path-free binaries; go.sum is committed, so nothing may change the module graph.
export CGO_ENABLED=0
build() { # NAME MODULE_DIR [LDFLAGS...]
  local name=$1 dir=$2
  shift 2
  if [ -x "$bin/$name" ]; then
    echo "build-envtest: $name already built" >&2
    return
  fi
  echo "build-envtest: building $name ..." >&2
  local start=$SECONDS
  # Build beside the target and rename, so an interrupted build never leaves a binary that looks done.
  (cd "$src/$dir" && go build -mod=readonly -buildvcs=false -trimpath -ldflags="-s -w $*" -o "$bin/.$name.tmp" .)
  mv "$bin/.$name.tmp" "$bin/$name"
  echo "build-envtest: built $name in $((SECONDS - start)) s" >&2
}

build envtest-helper helper
build etcd etcd
# Without these the server reports v0.0.0-master from /version, which clients show and compare.
minor=${k8s_version#v1.}
minor=${minor%%.*}
version_pkg=k8s.io/component-base/version
build kube-apiserver apiserver \
  "-X $version_pkg.gitVersion=$k8s_version" \
  "-X $version_pkg.gitMajor=1" \
  "-X $version_pkg.gitMinor=$minor" \
  "-X $version_pkg.gitTreeState=clean"

echo "$bin"
