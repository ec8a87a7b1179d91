#!/bin/sh
# run.sh BUILD SECONDS TARGET...: run each libFuzzer target (fuzz_TARGET in
# BUILD/tests/fuzz) for SECONDS from its seed corpus, one after the other,
# and print one line each. New inputs go to BUILD/fuzz/corpus-TARGET (kept
# between runs, never into the repository); a crash leaves its input in
# BUILD/fuzz/ and fails the run after the other targets have had their turn.
# See docs/fuzzing.md.
set -u
build=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
work=$build/fuzz
mkdir -p "$work"
# crash reports name functions and lines (Debian's llvm-14 has no plain
# llvm-symbolizer in PATH)
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] &&
    [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
	export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
failed=""
for t in "$@"; do
	exe=$build/tests/fuzz/fuzz_$t
	log=$work/$t.log
	mkdir -p "$work/corpus-$t"
	touch "$work/$t.start"
	dict=""
	if [ -f "$src/$t.dict" ]; then
		dict="-dict=$src/$t.dict"
	fi
	# -timeout: one input taking 10 s is a hang; leaks count as crashes
	"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$t-" $dict \
		"$work/corpus-$t" "$src/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$t: ok, ${secs} s, ${runs:-?} runs" \
			"(${speed:-?}/s), coverage ${cov:-?}"
		continue
	fi
	failed="$failed fuzz_$t"
	echo "fuzz_$t: FAILED (exit $rc); from $log:"
	# from the first report (a failed check, a sanitizer, a timeout)
	sed -n '/check failed\|runtime error\|ERROR: /,$p' "$log" |
	    head -n 80 | sed 's/^/    /'
	if ! grep -q 'check failed\|runtime error\|ERROR: ' "$log"; then
		tail -n 40 "$log" | sed 's/^/    /'
	fi
	find "$work" -maxdepth 1 -name "$t-*" -newer "$work/$t.start" |
	while read -r a; do
		echo "    input: $a (reproduce: $exe $a)"
		echo "    base64: $(base64 -w0 "$a" | cut -c1-2000)"
	done
done
if [ -n "$failed" ]; then
	echo "fuzzing failed:$failed"
	exit 1
fi
