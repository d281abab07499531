#!/usr/bin/env bash
# Installs the Debian packages sockstep builds and tests with (third_party/debian-packages.txt),
# then the npm packages its tests read exported files with (third_party/npm: Mermaid's parser).
# Idempotent: prints nothing and touches nothing when every package is already installed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mapfile -t wanted < <(grep -v '^\s*#' "$here/debian-packages.txt" | sed '/^\s*$/d')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
sudo_cmd=()
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The versions package-lock.json pins, into third_party/npm/node_modules (not committed).
npm_dir="$here/npm"
want=$(node -p 'require(process.argv[1]).dependencies.mermaid' "$npm_dir/package.json")
have=$(node -p 'require(process.argv[1]).version' "$npm_dir/node_modules/mermaid/package.json" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  # Debian's nodejs has npm apart; a nodejs that bundles it provides it.
  if ! command -v npm >/dev/null; then
    echo "installing: npm"
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  echo "installing npm packages: mermaid $want"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
