#!/usr/bin/env bash
# Builds the Go programs under tools/<name>/ (each its own Go module):
#   - natively into .tools/bin/<name> (test oracles);
#   - a module with a `wasm` file beside its go.mod also with GOOS=wasip1 GOARCH=wasm into
#     .tools/wasm/<name>.wasm (a runtime product, e.g. helm-render for @homeops/helm); the file's one line
#     holds extra `go build` flags for that build (helm-render: -buildmode=c-shared, a WASI reactor);
#     A module may prepare that build (helm-render: Helm without client-go's scheme): `wasm-prepare.sh <work dir>`
#     prints extra `go build` flags for it, and `wasm-overlay` lines "<file> <replacement>" (module-relative)
#     replace files of the module for it only; the native oracle compiles the sources as they are;
#   - a module with its own build.sh (tools/test-cluster: kube-apiserver + etcd) runs that instead (an oracle).
# Idempotent and quiet: an output newer than every source file of its module is left alone.
# Never committed (.tools/ is gitignored). Builds run at the lowest CPU priority.
#
#   bash scripts/build-oracles.sh             native oracles and WASM products
#   bash scripts/build-oracles.sh --products  WASM products only (what `scripts/setup.sh` needs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
wasm="$root/.tools/wasm"
products_only=false
[ "${1:-}" = "--products" ] && products_only=true
mkdir -p "$bin" "$wasm"

fresh() { # fresh <output> <module dir>
  [ -e "$1" ] && [ -z "$(find "$2" -newer "$1" \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name 'wasm' -o -name 'overlay' -o -name 'wasm-overlay' -o -name 'wasm-prepare.sh' \) -print -quit)" ]
}

# overlay_json <module dir> <out> [<file list>]: `go build -overlay` JSON for the module's optional `overlay`
# file, whose lines "<dir> <package>" compile that dependency package's own Go files (unchanged, tests left
# out) into <dir> of the module, beside the module's files there (tools/helm-render: Helm's pkg/engine + a
# cache), then for the optional <file list>'s lines "<file> <replacement>" (module-relative paths)
overlay_json() {
  local dir="$1" target pkg src f sep="" replacement
  {
    printf '{"Replace":{'
    while read -r target pkg; do
      [ -n "$target" ] || continue
      src="$(cd "$dir" && go list -f '{{.Dir}}' "$pkg")"
      for f in "$src"/*.go; do
        case "$f" in *_test.go) continue ;; esac
        # a file the list replaces is left to it (a JSON object names each file once)
        [ -n "${3:-}" ] && grep -q "^$target/$(basename "$f") " "$3" && continue
        printf '%s"%s/%s/%s":"%s"' "$sep" "$dir" "$target" "$(basename "$f")" "$f"
        sep=","
      done
    done < <([ -f "$dir/overlay" ] && cat "$dir/overlay")
    if [ -n "${3:-}" ]; then
      while read -r target replacement; do
        [ -n "$target" ] || continue
        printf '%s"%s/%s":"%s/%s"' "$sep" "$dir" "$target" "$dir" "$replacement"
        sep=","
      done <"$3"
    fi
    printf '}}\n'
  } >"$2"
}

for mod in "$root"/tools/*/go.mod; do
  [ -e "$mod" ] || continue
  dir="$(dirname "$mod")"
  name="$(basename "$dir")"
  # a module with its own build script builds and caches itself (a test oracle, not a product)
  if [ -f "$dir/build.sh" ]; then
    $products_only || bash "$dir/build.sh"
    continue
  fi
  # optional extra linker flags for both builds (one line, e.g. -X for a version string)
  ldflags="-s -w"
  [ -f "$dir/ldflags" ] && ldflags="$ldflags $(tr -d '\n' <"$dir/ldflags")"
  overlay=()
  if [ -f "$dir/overlay" ]; then
    overlay_json "$dir" "$root/.tools/$name.overlay.json"
    overlay=("-overlay=$root/.tools/$name.overlay.json")
  fi
  if ! $products_only && ! fresh "$bin/$name" "$dir"; then
    echo "building $name" >&2
    (cd "$dir" && nice -n 19 go build -trimpath "${overlay[@]}" -ldflags="$ldflags" -o "$bin/$name" .)
  fi
  if [ -f "$dir/wasm" ] && ! fresh "$wasm/$name.wasm" "$dir"; then
    echo "building $name.wasm (GOOS=wasip1 GOARCH=wasm; the first build takes several minutes)" >&2
    read -r -a wasmflags <"$dir/wasm" || true
    if [ -f "$dir/wasm-prepare.sh" ]; then
      prepared="$(nice -n 19 bash "$dir/wasm-prepare.sh" "$root/.tools/build/$name-wasm")"
      read -r -a prepared_flags <<<"$prepared"
      wasmflags+=("${prepared_flags[@]}")
    fi
    if [ -f "$dir/wasm-overlay" ]; then
      overlay_json "$dir" "$root/.tools/$name.wasm-overlay.json" "$dir/wasm-overlay"
      overlay=("-overlay=$root/.tools/$name.wasm-overlay.json")
    fi
    (cd "$dir" && GOOS=wasip1 GOARCH=wasm nice -n 19 go build -trimpath "${wasmflags[@]}" "${overlay[@]}" -ldflags="$ldflags" -o "$wasm/$name.wasm.tmp" . )
    mv "$wasm/$name.wasm.tmp" "$wasm/$name.wasm"
  fi
done
