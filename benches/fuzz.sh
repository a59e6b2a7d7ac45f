#!/usr/bin/env bash
# Time-boxed mutation fuzz of every input format (examples/fuzz.rs): no
# panic, exact line accounting, whole and in pieces.
#
#   benches/fuzz.sh [SECONDS] [SEED]     default 600 s (10 minutes)
#
# Prints one line of counts; exits 1 (inputs saved under
# target/fuzz-failures/) on any panic or accounting error. Runs one thread:
# other work on the machine keeps its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-600}
SEED=${2:-1}
cargo build --release --example fuzz
exec "${CARGO_TARGET_DIR:-target}/release/examples/fuzz" "$SECONDS_" "$SEED"
