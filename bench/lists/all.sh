#!/usr/bin/env bash
# Issue 13's benchmark in one command: the lists of the anchor's shape on SQLite and PostgreSQL
# (one and two instances), at about 11,000, 114,000 and 1,000,000 obligations, each line of
# bench/lists/run.sh (10-row pages unfiltered, filtered and deep, the detail, at 1 and 16 clients;
# 我的工作 under load; sixteen clerks exporting; peak RSS), and the demo's generation time on both
# databases; the materialiser on both. Takes about an hour the first time (the demos), ten minutes after.
#
#   bash bench/lists/all.sh [SECONDS]        (needs wrk, sqlite3, psql and a PostgreSQL at PGURL)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
if [ -z "${BIN:-}" ]; then
    cargo build --release -q --bin zeren
    BIN=$(pwd)/${CARGO_TARGET_DIR:-target}/release/zeren
fi
export BIN
for db in sqlite postgres; do
    echo "######## $db: 1,000 units × 3 years"
    DB=$db bash bench/lists/run.sh 1000 3 "$SECS"
    echo "######## $db: 10,000 units × 3 years"
    DB=$db bash bench/lists/run.sh 10000 3 "$SECS"
    echo "######## $db: 10,000 units × 3 years, grown to 1,000,000 obligations"
    DB=$db GROW=1000000 bash bench/lists/run.sh 10000 3 "$SECS"
done
echo "######## postgres, two instances: 10,000 units × 3 years"
DB=postgres INSTANCES=2 bash bench/lists/run.sh 10000 3 "$SECS"
echo "######## the materialiser: 5,000 schools, SQLite then PostgreSQL"
cargo build --release -q -p zeren-bench --bin ledger-materialise
M=${CARGO_TARGET_DIR:-target}/release/ledger-materialise
"$M" 5000 2026 | sed -n 1,2p
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
psql "$PGURL/postgres" -qAtc "DROP DATABASE IF EXISTS zeren_bench_materialise" && psql "$PGURL/postgres" -qAtc "CREATE DATABASE zeren_bench_materialise"
ZEREN_BENCH_DATABASE_URL=$PGURL/zeren_bench_materialise "$M" 5000 2026 | sed -n 1,2p
