#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS [TARGET...]: runs each libFuzzer target of roost-fuzz (Fuzz/, built by
# `make fuzz-build`) for SECONDS over its corpus in Fuzz/corpus/TARGET. New inputs go to a
# scratch directory; FUZZ_MERGE=1 merges those that add coverage into the committed corpus.
# A crash, an ASan report, a broken property (Fuzz/roost-fuzz/Targets.swift) or an input that
# runs for over 10 s fails the run: its input is kept as .build-fuzz/artifacts/TARGET-*, and the
# last lines of the fuzzer's log are printed. Everything goes to stderr.
set -uo pipefail
exec >&2
tree=$(cd "$(dirname "$0")/.." && pwd -P)
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(spec state inroot)
bin=$tree/.build-fuzz/debug/roost-fuzz
[[ -x $bin ]] || { echo "fuzz: $bin is missing (make fuzz-build)"; exit 1; }
artifacts=$tree/.build-fuzz/artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d /tmp/roost-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# The Swift runtime's backtracer would wait on a crash; libFuzzer reports the crash itself.
export SWIFT_BACKTRACE=enable=no
# The inroot target's tree goes here too, so a crash leaves nothing behind.
export TMPDIR=$scratch
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log=$scratch/$t.log
  "$bin" "$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$scratch/$t" "$tree/Fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [[ $rc != 0 ]]; then
    echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} runs; the input is in $artifacts:"
    grep -v '^#[0-9]' "$log" | tail -25
    failed=1
    continue
  fi
  echo "fuzz $t: ${runs:-?} runs in ${seconds}s, ${cov:-cov: ?}, no failure"
  if [[ ${FUZZ_MERGE:-0} == 1 ]]; then
    "$bin" "$t" -merge=1 "$tree/Fuzz/corpus/$t" "$scratch/$t" >"$log.merge" 2>&1 \
      || { echo "fuzz $t: merge failed"; tail -5 "$log.merge"; failed=1; }
    echo "fuzz $t: corpus now $(ls "$tree/Fuzz/corpus/$t" | wc -l) inputs"
  fi
done
exit $failed
