#!/usr/bin/env bash
# Prepares helm-render's WebAssembly build without k8s.io/client-go's scheme and typed clientset, which Helm
# links only for data a client-side render never needs at run time: their init registers every built-in
# Kubernetes type (~0.4 s of Go's start under V8's Liftoff) and they are two thirds of the module's code.
#
#   bash tools/helm-render/wasm-prepare.sh <work dir>     (run by scripts/build-oracles.sh)
#
# Writes <work>/helm-<version>: the released helm.sh/helm/v4 module as the Go module cache holds it, with two
# files changed, and <work>/go.mod + go.sum: this module's, replacing helm.sh/helm/v4 with that copy.
#   - pkg/chart/common/capabilities.go: allKnownVersions() returns the list the scheme gives, printed by a
#     native run of _slim/versions (same module versions), instead of building the scheme;
#   - internal/version/clientgo.go: client-go's module version (from go.mod) as a constant, where Helm reads it
#     from the build info (which no longer lists client-go).
# wasm-overlay adds _slim/lookup_func.go (no discovery client). Prints the `go build` flag for the build
# (-modfile=…). Nothing is committed; the native oracle build compiles Helm as released, and the oracle test
# compares the two on every fixture case (.Capabilities.APIVersions and KubeVersion included).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$1"
die() { echo "wasm-prepare: $*" >&2; exit 1; }
cd "$here"
go mod download # a no-op when the module cache has them; a fresh machine's first build starts here
helm_version="$(go list -m -f '{{.Version}}' helm.sh/helm/v4)"
client_go="$(go list -m -f '{{.Version}}' k8s.io/client-go)"
src="$(go list -m -f '{{.Dir}}' helm.sh/helm/v4)"
[ -d "$src" ] || die "helm.sh/helm/v4 $helm_version is not in the Go module cache (go mod download)"
versions="$(go run ./_slim/versions)"
[ -n "$versions" ] || die "_slim/versions printed nothing"

mkdir -p "$work"
copy="$work/helm-$helm_version"
rm -rf "$copy" "$copy.tmp"
cp -r "$src" "$copy.tmp"
chmod -R u+w "$copy.tmp"

caps="$copy.tmp/pkg/chart/common/capabilities.go"
# the two imports only allKnownVersions uses, and its body: everything up to the function's closing brace
grep -q '^func allKnownVersions() VersionSet {$' "$caps" || die "$caps: allKnownVersions not found (Helm changed: review this script)"
[ "$(grep -c -E '"k8s.io/client-go/kubernetes/scheme"|"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1(beta1)?"' "$caps")" = 3 ] ||
  die "$caps: the scheme imports are not as expected (Helm changed: review this script)"
VERSIONS="$versions" awk '
  /"k8s.io\/client-go\/kubernetes\/scheme"|"k8s.io\/apiextensions-apiserver\/pkg\/apis\/apiextensions\/v1(beta1)?"/ { next }
  /^func allKnownVersions\(\) VersionSet \{$/ {
    print
    print "\t// wasm-prepare.sh: the versions client-go'"'"'s scheme gives (printed by a native run of _slim/versions)"
    print "\treturn VersionSet{"
    n = split(ENVIRON["VERSIONS"], lines, "\n")
    for (i = 1; i <= n; i++) if (lines[i] != "") print "\t\t" lines[i]
    print "\t}"
    skip = 1
    next
  }
  skip && /^}$/ { skip = 0 }
  skip { next }
  { print }
' "$caps" >"$caps.new"
mv "$caps.new" "$caps"

cat >"$copy.tmp/internal/version/clientgo.go" <<EOF
// Written by tools/helm-render/wasm-prepare.sh for the WebAssembly build: the module version of
// k8s.io/client-go that helm-render's go.mod selects (Helm reads it from the build info, which lists
// client-go only when it is linked).

package version

func K8sIOClientGoModVersion() (string, error) {
	return "$client_go", nil
}
EOF
mv "$copy.tmp" "$copy"

cp go.sum "$work/go.sum"
{ cat go.mod; printf '\nreplace helm.sh/helm/v4 => %s\n' "$copy"; } >"$work/go.mod"
echo "-modfile=$work/go.mod"
