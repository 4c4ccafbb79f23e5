#!/bin/sh
# Sandbox benchmark: builds the shipped quiz and karel plugins natively (the wasm ones are
# embedded in aktovka), builds aktovka in release, then runs bench/sandbox.rs: gradings/s
# and latency through the host beside a process per grading, a naive compile-per-call host
# and the time to the first grading of a new process. Run from anywhere; needs the
# wasm32-wasip1 target (rustup target add wasm32-wasip1).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out"
mkdir -p "$out"
for plugin in quiz karel; do
    cargo build --quiet --release --manifest-path "$root/plugins/$plugin/Cargo.toml" \
        --target-dir "$out/plugins"
done
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin aktovka
native="$out/plugins/release"
cargo bench --quiet --manifest-path "$root/Cargo.toml" --bench sandbox -- \
    "$native/quiz" "$native/karel" \
    "$root/target/release/aktovka"
