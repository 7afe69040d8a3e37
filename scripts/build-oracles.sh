#!/usr/bin/env bash
# Builds the Go test oracles under tools/<name>/ (each its own Go module) into .tools/bin/<name>;
# a module with a build.sh (tools/test-cluster) runs that instead.
# Idempotent and quiet: a binary newer than every source file of its module is left alone.
# Test-time only; binaries are never committed (.tools/ is gitignored).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"
for mod in "$root"/tools/*/go.mod; do
  [ -e "$mod" ] || continue
  dir="$(dirname "$mod")"
  name="$(basename "$dir")"
  # a module with its own build script (e.g. tools/test-cluster) builds and caches itself
  if [ -f "$dir/build.sh" ]; then
    bash "$dir/build.sh"
    continue
  fi
  out="$bin/$name"
  if [ -x "$out" ] && [ -z "$(find "$dir" -newer "$out" \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print -quit)" ]; then
    continue
  fi
  echo "building $name" >&2
  (cd "$dir" && go build -trimpath -o "$out" .)
done
