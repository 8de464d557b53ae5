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

# The stamp records how the binary was built (helm and Kubernetes versions). A binary without one,
# e.g. from an older version of this script that did not set the Kubernetes version, is rebuilt.
stamp="$out.build"
if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "$version" ]; then
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
# helm's Makefile stamps the Kubernetes version of its client-go into the binary; without it
# `helm template` and `helm lint` assume Kubernetes v1.20 and reject charts needing a newer one.
# Run from the scratch dir: outside any module, so no go.mod around the caller interferes.
gomod=$(cd "$work" && go mod download -json "helm.sh/helm/v3@$version" 2>"$work/download.log" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p') || true
if [ -z "$gomod" ] || [ ! -f "$gomod" ]; then
  tail -n 20 "$work/download.log" >&2
  die "could not download helm.sh/helm/v3@$version from the Go module proxy"
fi
client_go=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")
[[ $client_go =~ ^v0\.([0-9]+)\. ]] || die "cannot tell the Kubernetes version of helm $version (client-go '$client_go')"
k8s_minor=${BASH_REMATCH[1]}
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done
# GOBIN is a scratch dir so an interrupted build never leaves a binary that looks installed; the
# version -X is also from helm's Makefile, without it `helm version` reports a placeholder.
if ! (cd "$work" && GOBIN="$work/bin" CGO_ENABLED=0 go install -trimpath -ldflags="$ldflags" \
  "helm.sh/helm/v3/cmd/helm@$version") >"$work/build.log" 2>&1; then
  grep -v '^go: downloading ' "$work/build.log" | tail -n 40 >&2
  die "go install helm.sh/helm/v3/cmd/helm@$version failed"
fi
mv "$work/bin/helm" "$out.partial"
mv "$out.partial" "$out"
echo "$version kubernetes-1.$k8s_minor" >"$stamp"
echo "build-helm: helm $version at $out, built in $((SECONDS - start)) s" >&2
echo "$out"
