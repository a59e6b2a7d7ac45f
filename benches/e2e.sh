#!/usr/bin/env bash
# End-to-end throughput of `wwqa scan` against the `rg -F` phrase-scan floor.
#
#   benches/e2e.sh SIZE [THREADS]        e.g. benches/e2e.sh 1GB 2
#
# Builds the release binary, generates a seeded qianniu-text dump of SIZE
# (cached under target/e2e/), extracts every lexicon term into a patterns
# file, then times REPS runs each of
#   rg -c -F -f patterns -j THREADS DUMP        (the floor for any phrase scan)
#   wwqa scan DUMP --threads THREADS            (all analyzers, all outputs)
#   wwqa scan DUMP --threads 1 / --threads 2    (the scaling ratio; 1 thread
#                                               runs pinned to one core)
# under /usr/bin/time -v and prints the medians: MB/s, time ratio to rg, peak
# RSS. The page cache is warmed first so every run reads from memory.
#
# Environment:
#   REPS=3            runs per command (medians are printed)
#   SEED=42           generator seed
#   FILE_MB=16        approximate size of one dump file: the file count grows
#                     with SIZE so per-file memory stays comparable across sizes
#   LEXICONS=dir      where the *.lex files are (default: lexicons/)
#   MAX_RSS_MB=8000   kill a wwqa run whose RSS passes this (shared machine);
#                     the run is then reported as "killed" and not timed
#   SKIP_SCALING=1    skip the --threads 1 / --threads 2 runs
set -euo pipefail

usage() { echo "usage: $0 SIZE [THREADS]   (SIZE like 100MB, 1GB)" >&2; exit 64; }
[[ $# -ge 1 && $# -le 2 ]] || usage
SIZE=$1
THREADS=${2:-2}
REPS=${REPS:-3}
SEED=${SEED:-42}
FILE_MB=${FILE_MB:-16}
MAX_RSS_MB=${MAX_RSS_MB:-8000}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LEXICONS=${LEXICONS:-$ROOT/lexicons}
E2E=$ROOT/target/e2e
mkdir -p "$E2E"

need() {
    # Install a missing tool with apt-get (the script's documented
    # prerequisites); fail clearly when that is not possible.
    local cmd=$1 pkg=$2
    [[ -x $cmd ]] || command -v "$cmd" >/dev/null 2>&1 && return 0
    echo "e2e: $cmd missing, installing $pkg" >&2
    if ! { apt-get install -y "$pkg" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$pkg" >/dev/null 2>&1; }; }; then
        echo "e2e: cannot install $pkg; install it and rerun" >&2
        exit 69
    fi
}
need rg ripgrep
need /usr/bin/time time

bytes_of() {
    # 100MB, 1GB, 1.5GB, 512KB, 123 → bytes (decimal units, like `wwqa generate`).
    awk -v s="$1" 'BEGIN {
        u = toupper(s); n = u; sub(/[A-Z]+$/, "", n); unit = substr(u, length(n) + 1)
        m = 1
        if (unit == "KB" || unit == "K") m = 1e3
        else if (unit == "MB" || unit == "M") m = 1e6
        else if (unit == "GB" || unit == "G") m = 1e9
        else if (unit != "" && unit != "B") { print "bad"; exit }
        printf "%.0f\n", n * m
    }'
}
TARGET_BYTES=$(bytes_of "$SIZE")
[[ $TARGET_BYTES =~ ^[0-9]+$ ]] || usage

echo "e2e: building release binary" >&2
cargo build --release --quiet --bin wwqa
WWQA=$ROOT/target/release/wwqa

# --- the dump, cached by size and seed --------------------------------------
FILES=$(( TARGET_BYTES / (FILE_MB * 1000000) ))
(( FILES >= 1 )) || FILES=1
GEN=$E2E/qianniu-text_${SIZE}_seed${SEED}_files${FILES}
DUMP=$GEN/dump
if [[ ! -f $GEN/.complete ]]; then
    echo "e2e: generating $SIZE in $FILES files (seed $SEED) → $GEN" >&2
    rm -rf "$GEN"
    "$WWQA" generate --out "$GEN" --size "$SIZE" --files "$FILES" --seed "$SEED" --format qianniu-text >&2
    touch "$GEN/.complete"
fi
DUMP_BYTES=$(find "$DUMP" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')

# --- every lexicon term ------------------------------------------------------
PATTERNS=$E2E/patterns.txt
shopt -s nullglob
LEX=("$LEXICONS"/*.lex)
if (( ${#LEX[@]} > 0 )); then
    # Term = everything before the first `|` of a non-comment, non-section
    # line (lexicons/README.md); a ` #` after content starts a comment.
    awk '
        { sub(/\r$/, "") }
        /^[ \t]*#/ || /^[ \t]*\[/ || /^[ \t]*$/ { next }
        { sub(/[ \t]#.*$/, ""); split($0, f, "|"); t = f[1]
          gsub(/^[ \t]+|[ \t]+$/, "", t); if (t != "") print t }
    ' "${LEX[@]}" | sort -u >"$PATTERNS"
    PATTERN_SOURCE="${#LEX[@]} .lex files in $LEXICONS"
elif [[ -f $ROOT/lexicons/stage_cues.tsv ]]; then
    # Fallback until the text-match lexicons land: the stage cue phrases.
    awk -F'\t' '$1 == "cue" && $2 != "" { print $2 }' "$ROOT/lexicons/stage_cues.tsv" | sort -u >"$PATTERNS"
    PATTERN_SOURCE="fallback: stage_cues.tsv (no .lex files in $LEXICONS)"
    echo "e2e: warning: no .lex files in $LEXICONS; using stage cue phrases as patterns" >&2
else
    echo "e2e: no lexicon files found; set LEXICONS=dir" >&2
    exit 66
fi
PATTERN_COUNT=$(wc -l <"$PATTERNS")

# Warm the page cache so both tools read from memory.
cat "$DUMP"/* >/dev/null

# --- timing --------------------------------------------------------------
# timed NAME CMD...: run under /usr/bin/time -v, append "secs rss_kb status"
# to $RUNS/NAME. A wwqa run over MAX_RSS_MB is killed by its own pid.
RUNS=$E2E/runs.$$
mkdir -p "$RUNS/logs"
trap 'rm -rf "$RUNS"' EXIT
timed() {
    local name=$1; shift
    local log=$RUNS/logs/$name.$RANDOM
    /usr/bin/time -v "$@" >/dev/null 2>"$log" &
    local tpid=$! killed=0
    while kill -0 "$tpid" 2>/dev/null; do
        local child
        child=$(pgrep -P "$tpid" | head -n1 || true)
        if [[ -n $child ]]; then
            local rss
            rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0)
            if (( ${rss:-0} > MAX_RSS_MB * 1024 )); then
                echo "e2e: $name passed MAX_RSS_MB=$MAX_RSS_MB, killing pid $child" >&2
                kill "$child" 2>/dev/null || true
                killed=1
            fi
        fi
        sleep 0.2
    done
    wait "$tpid" || true
    local secs rss
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]
        print s }' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    # CPU seconds (user + sys): on a shared machine wall time includes waiting
    # for a core, CPU time does not.
    local cpu
    cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s + 0 }' "$log")
    local status=ok
    (( killed )) && status=killed
    grep -q "Exit status: [1-9]" "$log" && [[ $status == ok ]] && status="exit$(awk -F': ' '/Exit status/ { print $2 }' "$log")"
    echo "$secs $rss $status $cpu" >>"$RUNS/$name"
}
median_col() { # median of column $2 of file $1 over "ok" runs
    awk -v c="$2" '$3 == "ok" || $3 == "exit2" { print $c }' "$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# `--threads N` sizes the worker pool; the reading and writing threads come
# on top. A 1-thread run is pinned to one core so that the scaling ratio
# compares one core with two.
cores_for() { [[ $1 == 1 ]] && command -v taskset >/dev/null && echo "taskset -c 0"; }

OUT=$E2E/out
for ((r = 1; r <= REPS; r++)); do
    echo "e2e: rep $r/$REPS" >&2
    timed rg rg -c -F -f "$PATTERNS" -j "$THREADS" "$DUMP"
    rm -rf "$OUT"
    # shellcheck disable=SC2046 # the prefix is words or nothing
    timed "wwqa_t$THREADS" $(cores_for "$THREADS") "$WWQA" scan "$DUMP" --out "$OUT" --threads "$THREADS" --quiet
    if [[ ${SKIP_SCALING:-0} != 1 ]]; then
        for t in 1 2; do
            [[ $t == "$THREADS" ]] && continue
            rm -rf "$OUT"
            # shellcheck disable=SC2046
            timed "wwqa_t$t" $(cores_for "$t") "$WWQA" scan "$DUMP" --out "$OUT" --threads "$t" --quiet
        done
    fi
done
OUT_BYTES=$(du -sb "$OUT" 2>/dev/null | awk '{ print $1 }')
rm -rf "$OUT"

mbps() { awk -v b="$DUMP_BYTES" -v s="$1" 'BEGIN { if (s == "nan" || s <= 0) print "nan"; else printf "%.1f", b / 1e6 / s }'; }
row() { # name secs rss_kb cpu_secs runs
    printf '%-22s %9s %9s %9s %9s %10s  %s\n' "$1" "$(printf '%.2f' "$2" 2>/dev/null || echo nan)" "$(mbps "$2")" \
        "$(printf '%.2f' "$4" 2>/dev/null || echo nan)" "$(mbps "$4")" \
        "$(awk -v k="$3" 'BEGIN { if (k == "nan") print "nan"; else printf "%.0f", k / 1024 }')" "$5"
}
RG_S=$(median_col "$RUNS/rg" 1)
RG_RSS=$(median_col "$RUNS/rg" 2)
W_S=$(median_col "$RUNS/wwqa_t$THREADS" 1)
W_RSS=$(median_col "$RUNS/wwqa_t$THREADS" 2)

echo
echo "## wwqa e2e: $SIZE qianniu-text (seed $SEED, $FILES files, $DUMP_BYTES bytes), threads $THREADS, median of $REPS"
echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
echo "patterns: $PATTERN_COUNT terms ($PATTERN_SOURCE)"
echo
printf '%-22s %9s %9s %9s %9s %10s  %s\n' command "wall s" "MB/s" "cpu s" "MB/cpu-s" "RSS MB" runs
row "rg -F (floor)" "$RG_S" "$RG_RSS" "$(median_col "$RUNS/rg" 4)" "$(awk '{ printf "%s ", $3 }' "$RUNS/rg")"
for f in "$RUNS"/wwqa_t*; do
    n=${f##*/}
    row "wwqa scan ${n#wwqa_}" "$(median_col "$f" 1)" "$(median_col "$f" 2)" "$(median_col "$f" 4)" "$(awk '{ printf "%s ", $3 }' "$f")"
done
echo
awk -v w="$W_S" -v r="$RG_S" 'BEGIN { if (w == "nan" || r == "nan" || r <= 0) print "time ratio wwqa/rg: nan"; else printf "time ratio wwqa/rg: %.1fx wall (target <= 3x)\n", w / r }'
awk -v w="$(median_col "$RUNS/wwqa_t$THREADS" 4)" -v r="$(median_col "$RUNS/rg" 4)" 'BEGIN { if (w == "nan" || r == "nan" || r <= 0) print "cpu ratio wwqa/rg: nan"; else printf "cpu ratio wwqa/rg: %.1fx cpu time\n", w / r }'
if [[ -f $RUNS/wwqa_t1 && -f $RUNS/wwqa_t2 ]]; then
    awk -v a="$(median_col "$RUNS/wwqa_t1" 1)" -v b="$(median_col "$RUNS/wwqa_t2" 1)" \
        'BEGIN { if (a == "nan" || b == "nan" || b <= 0) print "scaling t1/t2: nan"; else printf "scaling 2 threads vs 1: %.2fx (target >= 1.8x)\n", a / b }'
fi
echo "wwqa MB/s target >= 150; RSS target <= 300 MB"
echo "wwqa output written per run: $(awk -v b="${OUT_BYTES:-0}" 'BEGIN { printf "%.0f MB", b / 1e6 }') ($(awk -v o="${OUT_BYTES:-0}" -v i="$DUMP_BYTES" 'BEGIN { printf "%.1f", o / i }')x the input)"
