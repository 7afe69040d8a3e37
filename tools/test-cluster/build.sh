#!/usr/bin/env bash
# Builds the test cluster of packages/flux-bridge: a real kube-apiserver and etcd, both from their Go
# modules (pinned in tools/test-cluster/go.mod), into .tools/test-cluster/bin; and lays the CRD files of
# the catalog sources (packages/schema/catalog/SOURCES.json) into .tools/test-cluster/crds.
# Cached: nothing is rebuilt while go.mod, go.sum, the sources and the Go version are unchanged.
# No release-page downloads: only the Go module proxy.
#
#   bash tools/test-cluster/build.sh          build when needed (quiet when cached)
#   bash tools/test-cluster/build.sh --force  rebuild
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
src="$root/tools/test-cluster"
out="$root/.tools/test-cluster"
# the CRD families the sample repository uses (names of SOURCES.json entries)
CRD_FAMILIES="flux external-secrets cert-manager gateway-api cilium volsync"

say() { printf 'test-cluster: %s\n' "$*" >&2; }
die() { printf 'test-cluster: error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 ||
  die "Go is required to build the test cluster (kube-apiserver, etcd) of packages/flux-bridge: install Go >= 1.26 (the integration tier cannot run without it)"
command -v node >/dev/null 2>&1 || die "node is required"
command -v openssl >/dev/null 2>&1 || die "openssl is required (the test harness generates the cluster's certificates with it)"

force=false
[ "${1:-}" = "--force" ] && force=true

stamp=$(cat "$src/go.mod" "$src/go.sum" "$src/etcd/main.go" "$root/packages/schema/catalog/SOURCES.json" "$0" | sha256sum | cut -c1-16)-$(go env GOVERSION)
if ! $force && [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] &&
  [ -x "$out/bin/kube-apiserver" ] && [ -x "$out/bin/etcd" ] && [ -d "$out/crds" ]; then
  exit 0
fi

mkdir -p "$out/bin"
rm -f "$out/stamp"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
start=$(date +%s)
# measured on 2 cores (late 2026): cold (empty Go build cache) about 690 s of CPU, 47 min wall while the
# machine was shared by 8 agents; warm (cache filled) about 30 s to relink
say "building etcd and kube-apiserver from their Go modules (cold: tens of minutes on 2 cores; cached after)"
(
  cd "$src"
  nice -n 19 go build -trimpath -ldflags='-s -w' -o "$out/bin/etcd" ./etcd
  # the version the API server reports (/version), as Kubernetes' own build stamps it
  k8s=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
  minor=$(echo "$k8s" | cut -d. -f2)
  v=k8s.io/component-base/version
  nice -n 19 go build -trimpath -ldflags="-s -w -X $v.gitVersion=$k8s -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
    -o "$out/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
) >"$out/build.log" 2>&1 || die "the build failed: see $out/build.log ($(tail -n 3 "$out/build.log" | tr '\n' ' '))"
built=$(date +%s)

# CRD files of the catalog sources, straight from the module zips the catalog is generated from
rm -rf "$out/crds.tmp" && mkdir -p "$out/crds.tmp"
node - "$root/packages/schema/catalog/SOURCES.json" "$out/crds.tmp" $CRD_FAMILIES <<'EOF'
const { execFileSync, spawnSync } = require("node:child_process");
const { copyFileSync, existsSync, mkdirSync } = require("node:fs");
const { join } = require("node:path");
const [sourcesFile, dest, ...families] = process.argv.slice(2);
const sources = JSON.parse(require("node:fs").readFileSync(sourcesFile, "utf8")).sources;
const lock = [];
for (const family of families) {
  const source = sources.find((s) => s.name === family);
  if (!source) throw new Error(`SOURCES.json has no source named ${family}`);
  // exit 1 with a zip is fine: a module whose go.mod wants a newer Go is downloaded, only not extracted
  const result = spawnSync("go", ["mod", "download", "-json", `${source.module}@${source.version}`], { encoding: "utf8" });
  let info;
  try {
    info = JSON.parse(result.stdout);
  } catch {
    throw new Error(`go mod download ${source.module}@${source.version} failed: ${result.stderr}`);
  }
  if (!(info.Dir && existsSync(info.Dir)) && !(info.Zip && existsSync(info.Zip))) {
    throw new Error(`${source.module}@${source.version}: ${info.Error ?? "no module zip"}`);
  }
  let dir = info.Dir;
  if (!dir || !existsSync(dir)) {
    // a module whose go.mod wants a newer Go is downloaded but not extracted
    dir = join(dest, ".unzip", family);
    mkdirSync(dir, { recursive: true });
    execFileSync("unzip", ["-q", "-o", info.Zip, "-d", dir]);
    dir = join(dir, `${source.module}@${source.version}`);
  }
  mkdirSync(join(dest, family), { recursive: true });
  for (const file of source.files) {
    copyFileSync(join(dir, file), join(dest, family, file.replaceAll("/", "_")));
  }
  lock.push(`${family} ${source.module}@${source.version} ${source.files.length} files`);
}
require("node:fs").writeFileSync(join(dest, "SOURCES.txt"), `${lock.join("\n")}\n`);
EOF
rm -rf "$out/crds.tmp/.unzip" "$out/crds" && mv "$out/crds.tmp" "$out/crds"
echo "$stamp" >"$out/stamp"
say "built in $((built - start)) s ($("$out/bin/kube-apiserver" --version 2>/dev/null), etcd $("$out/bin/etcd" --version 2>/dev/null | head -n 1 | awk '{print $3}'))"
