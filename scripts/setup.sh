#!/usr/bin/env bash
# Kube Workbench: one-time, idempotent setup of everything the project needs that `npm ci` does not install.
#
#   bash scripts/setup.sh        (or: npm run setup)
#
# What it does, each step skipped when already done (a warm run is a no-op in a couple of seconds):
#   1. Debian packages: chromium (headless browser for the UI/integration tests), ripgrep (code-server's search,
#      replaces the @vscode/ripgrep download), libkrb5-dev + build tools (native modules of code-server).
#      `apt-get update` runs only when one of them is missing.
#   2. npm dependencies: `npm ci` when node_modules is missing or package-lock.json is newer than the last install.
#      Set KWB_SETUP_SKIP_NPM=1 to leave that to the caller.
#   3. code-server 4.100.3 (a real VS Code 1.100.3 served to a browser) into a cache outside the repo:
#      ${XDG_CACHE_HOME:-$HOME/.cache}/kube-workbench/code-server-4.100.3/
#      A marker file `.kwb-complete` is written only after every step succeeded, so a half install is redone.
#      See /work/shared/guide/HARNESS.md for why each step is needed (offline machine, root, native rebuilds).
#   4. `node scripts/cluster.mjs --build-only` when that script exists (prebuilds the Go control plane; slow once,
#      cached afterwards by that script itself), and `node scripts/helm.mjs --build-only` (a helm binary for the
#      tests, built from helm.sh/helm/v3 like the control plane, cached the same way) and
#      `node scripts/metrics-server.mjs --build-only` (metrics-server for the tests' metrics.k8s.io, the same way).
#   5. `node scripts/lib/testTools.mjs`: the command-line tools the tests use (kustomize), built from Go modules
#      into the same cache.
#
# Environment: KWB_CODE_SERVER_DIR overrides the code-server cache folder (must match scripts/lib/codeServer.mjs).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOME_DIR="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}" # as os.homedir() in scripts/lib/codeServer.mjs
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME_DIR/.cache}/kube-workbench"
CS_DIR="${KWB_CODE_SERVER_DIR:-$CACHE_ROOT/code-server-$CODE_SERVER_VERSION}"
MARKER="$CS_DIR/.kwb-complete"
# Native modules are built for this Node's ABI: a different Node means a rebuild.
MARKER_TEXT="code-server=$CODE_SERVER_VERSION node-abi=$(node -p process.versions.modules)"
START=$(date +%s)

log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# ---------------------------------------------------------------------------------------------- 1. apt packages
APT_PACKAGES=(chromium ripgrep libkrb5-dev build-essential python3 pkg-config libsecret-1-dev fonts-dejavu-core)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"
else
  log "Debian packages present: ${APT_PACKAGES[*]}"
fi

# ---------------------------------------------------------------------------------------------- 2. npm ci
if [ "${KWB_SETUP_SKIP_NPM:-}" = "1" ]; then
  log "npm ci: skipped (KWB_SETUP_SKIP_NPM=1)"
elif [ ! -f "$REPO_ROOT/node_modules/.package-lock.json" ] ||
  [ "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]; then
  log "npm ci (node_modules missing or older than package-lock.json)"
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund)
else
  log "node_modules up to date with package-lock.json"
fi

# ---------------------------------------------------------------------------------------------- 3. code-server
install_code_server() {
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (takes a few minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  cd "$CS_DIR"
  printf '{ "name": "kwb-code-server-cache", "private": true }\n' >package.json
  # As root the package scripts refuse to run without unsafe-perm; node-pty's script runs `npx node-gyp`.
  export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false
  export npm_config_update_notifier=false

  log "  npm install code-server@$CODE_SERVER_VERSION --ignore-scripts"
  npm install "code-server@$CODE_SERVER_VERSION" --ignore-scripts --no-save --loglevel=error

  local vs="$CS_DIR/node_modules/code-server/lib/vscode"
  [ -d "$vs" ] || { log "ERROR: $vs missing after npm install"; exit 1; }
  cd "$vs"
  log "  lib/vscode: npm install --omit=dev --ignore-scripts"
  npm install --omit=dev --ignore-scripts --loglevel=error
  # @vscode/ripgrep would download rg from GitHub; it skips that when bin/ exists.
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  log "  lib/vscode: npm rebuild (native modules)"
  npm rebuild --loglevel=error
  ln -sfn node_modules node_modules.asar

  if [ -f "$vs/extensions/package.json" ]; then
    log "  lib/vscode/extensions: npm install --omit=dev --ignore-scripts"
    (cd "$vs/extensions" && npm install --omit=dev --ignore-scripts --loglevel=error)
  fi

  # argon2 is hoisted to the top node_modules, so rebuild it from the cache folder (from
  # node_modules/code-server npm would find nothing to rebuild). Build from source: its prebuilt download
  # from GitHub is unreachable here.
  cd "$CS_DIR"
  log "  npm rebuild argon2 (from source)"
  npm_config_build_from_source=true npm rebuild argon2 --loglevel=error
  [ -n "$(find "$CS_DIR/node_modules/argon2" -name '*.node' -print -quit)" ] || {
    log "ERROR: argon2 native module was not built"
    exit 1
  }

  log "  smoke test: code-server --version"
  XDG_CONFIG_HOME="$CS_DIR/.smoke/config" XDG_DATA_HOME="$CS_DIR/.smoke/data" \
    "$CS_DIR/node_modules/.bin/code-server" --version
  rm -rf "$CS_DIR/.smoke"
  echo "$MARKER_TEXT" >"$MARKER"
  cd "$REPO_ROOT"
}

if [ "$(cat "$MARKER" 2>/dev/null)" = "$MARKER_TEXT" ] && [ -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  log "code-server $CODE_SERVER_VERSION present in $CS_DIR"
else
  t0=$(date +%s)
  install_code_server
  log "code-server installed in $(($(date +%s) - t0)) s"
fi

# ---------------------------------------------------------------------------------------------- 4. cluster binary
if [ -f "$REPO_ROOT/scripts/cluster.mjs" ]; then
  if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
    log "node scripts/cluster.mjs --build-only"
    (cd "$REPO_ROOT" && PATH="$PATH:/usr/local/go/bin" node scripts/cluster.mjs --build-only)
    log "node scripts/helm.mjs --build-only (helm for the tests, from Go modules)"
    (cd "$REPO_ROOT" && PATH="$PATH:/usr/local/go/bin" node scripts/helm.mjs --build-only)
    log "node scripts/metrics-server.mjs --build-only (metrics-server for the tests, from Go modules)"
    (cd "$REPO_ROOT" && PATH="$PATH:/usr/local/go/bin" node scripts/metrics-server.mjs --build-only)
  else
    log "skipping control-plane build: no Go toolchain (cluster tests will be skipped)"
  fi
else
  log "scripts/cluster.mjs not present: no control plane to prebuild"
fi

# ---------------------------------------------------------------------------------------------- 5. test tools
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
  (cd "$REPO_ROOT" && PATH="$PATH:/usr/local/go/bin" node scripts/lib/testTools.mjs)
else
  log "skipping the test tools (kustomize): no Go toolchain"
fi

log "done in $(($(date +%s) - START)) s"
