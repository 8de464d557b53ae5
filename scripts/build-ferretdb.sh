#!/usr/bin/env bash
# Builds FerretDB (MongoDB wire protocol over SQLite; the tests' MongoDB) into $YUNSHU_CACHE/bin/ferretdb.
# The Go module proxy refuses the .info of FerretDB v1.24.1, so `go install ...@v1.24.1` cannot resolve
# it; the .zip is served, so we fetch that, check it, and build it as the replaced dependency of
# scripts/ferretdb/go.mod, whose go.sum pins every other module.
# Usage: bash scripts/build-ferretdb.sh [OUTPUT]   (default $YUNSHU_CACHE/bin/ferretdb)
set -euo pipefail

version=v1.24.1
# go.sum-style hash of the module zip. Go skips checksum verification for replaced modules, so we do it.
zip_h1='h1:3FDJre3jHhs3cvzBiyZ3MAFLudfwlwOfogRYxWU4eEU='

die() {
  echo "build-ferretdb: $*" >&2
  exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-${YUNSHU_CACHE:-$HOME/.cache/yunshu}/bin/ferretdb}

for tool in curl unzip sha256sum base64; do
  command -v "$tool" >/dev/null || die "'$tool' is missing; bash scripts/install-services.sh installs it"
done
# Go >= 1.21 fetches the go1.24 toolchain go.mod asks for by itself; older ones (Debian 12's 1.19) cannot,
# which is why the installer does not offer Debian's golang-go.
go_version=$(go env GOVERSION 2>/dev/null) || die "FerretDB needs Go >= 1.24 to build, and 'go' is not on PATH"
if [[ ! $go_version =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 21)); then
  die "FerretDB needs Go >= 1.24 to build, found '$go_version'"
fi

# Fetch from the first entry of GOPROXY, like go would.
proxy=$(go env GOPROXY)
proxy=${proxy%%[,|]*}
[[ $proxy =~ ^(https?|file):// ]] || die "GOPROXY must start with a proxy URL to fetch FerretDB, not '$proxy'"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

url="${proxy%/}/github.com/!ferret!d!b/!ferret!d!b/@v/$version.zip"
curl -sSf --retry 3 -o "$work/src.zip" "$url" || die "could not download $url"
unzip -q "$work/src.zip" -d "$work/unpacked"

# The dirhash go.sum uses: sha256 of the sorted "<sha256>  <path>" lines of every file in the zip.
actual_h1=$(
  cd "$work/unpacked"
  find . -type f | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do
    printf '%s  %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"
  done | sha256sum | cut -d' ' -f1
)
# shellcheck disable=SC2001 # sed's & has no portable equivalent in ${var//}
actual_h1="h1:$(printf '%b' "$(sed 's/../\\x&/g' <<<"$actual_h1")" | base64)"
[[ $actual_h1 == "$zip_h1" ]] || die "checksum mismatch for $url: got $actual_h1, want $zip_h1"

mv "$work/unpacked/github.com/FerretDB/FerretDB@$version" "$work/mod"
chmod -R u+w "$work/mod"
# Release builds generate this file; without it the binary panics at start.
echo "$version" >"$work/mod/build/version/version.txt"
cp "$here/ferretdb/go.mod" "$here/ferretdb/go.sum" "$work/"

mkdir -p "$(dirname "$out")"
# Pure Go (SQLite via modernc), so no C compiler is needed; build beside the target and rename so an
# interrupted build never leaves a binary that looks installed.
echo "build-ferretdb: building FerretDB $version (about a minute, longer with an empty Go module cache)" >&2
if ! (cd "$work" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$out.partial" \
  github.com/FerretDB/FerretDB/cmd/ferretdb) >"$work/build.log" 2>&1; then
  grep -v '^go: downloading ' "$work/build.log" | tail -n 40 >&2
  rm -f "$out.partial"
  die "go build failed"
fi
mv "$out.partial" "$out"
echo "build-ferretdb: FerretDB $version at $out" >&2
