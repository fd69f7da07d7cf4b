#!/usr/bin/env bash
# Prints the bin directory of Node.js <major> (e.g. 22, 24), installing it the first time from the npm
# registry's `node` package (it ships the platform's official binary) into .ci/node/<major>, git-ignored.
# Used by .ci/run (Node 22 when the machine's is older; Node 24, Lambda's runtime, for the bundle test);
# developers: `bash .ci/node.sh 24` once makes the bundle test find Node 24.
set -euo pipefail
major="${1:?usage: bash .ci/node.sh <major>}"
dir="$(cd "$(dirname "$0")" && pwd)/node/$major"
bin="$dir/node_modules/node/bin"
if ! "$bin/node" --version 2>/dev/null | grep -q "^v$major\."; then
  rm -rf "$dir" && mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$major" >&2
  "$bin/node" --version | grep -q "^v$major\." || { echo "ci: node@$major did not install a Node $major binary" >&2; exit 1; }
fi
echo "$bin"
