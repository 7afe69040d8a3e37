#!/usr/bin/env bash
# The test command: set up, then typecheck, lint, build and run every test.
#   bash scripts/test.sh            on the machine's Node.js
#   bash scripts/test.sh --node24   also run the test suite again under Node.js 24 (LTS)
#   bash scripts/test.sh [--node24] <vitest filter>…   the same, running only the tests the filters select
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

with24=false
if [ "${1:-}" = "--node24" ]; then with24=true; shift; fi
filters=("$@")

setup_args=(--oracles)
$with24 && setup_args+=(--node24)
bash scripts/setup.sh "${setup_args[@]}"
export PATH="$root/.tools/bin:$PATH"

echo "== typecheck + build (turbo)"
pnpm exec turbo run build typecheck --output-logs=errors-only
echo "== lint (biome)"
pnpm exec biome check .

# runs vitest, then prints one closing line `N passed, N failed` from its JSON report
run_tests() {
  local label=$1 report="$root/.tools/vitest-$1.json" status=0
  echo "== tests ($label: node $(node --version))"
  pnpm exec vitest run ${filters[@]+"${filters[@]}"} --reporter=default --reporter=json --outputFile.json="$report" || status=$?
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
    if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  ' "$report" "$label" || status=1
  return $status
}

run_tests node20
if $with24; then
  PATH="$root/.tools/node24/bin:$PATH" run_tests node24
fi
