#!/usr/bin/env bash
# The ledger under load, on SQLite: a demo organisation of UNITS units with YEARS years of records,
# then the home page (我的工作), a school's yearly grid and the oversight dashboard (the whole tree's
# and a school's) under 16 concurrent clients (wrk), and a unit-year XLSX export timed one request
# at a time. Figures go to docs/benchmarks.md.
#
#   bash bench/ledger/run.sh [UNITS] [YEARS]        (default 20000 3; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
UNITS=${1:-20000}
YEARS=${2:-3}
TODAY=2026-11-29
OUT=bench/out/ledger-$UNITS-$YEARS
PORT=18181
cargo build --release -q
BIN=${CARGO_TARGET_DIR:-target}/release/zeren
rm -rf "$OUT" && mkdir -p "$OUT"

echo "== demo: $UNITS units, $YEARS years"
START=$SECONDS
"$BIN" demo --data "$OUT/data" --units "$UNITS" --years "$YEARS" --today "$TODAY" | sed -n 2p
echo "demo generated in $((SECONDS - START)) s"
du -sh "$OUT/data"

"$BIN" serve --data "$OUT/data" --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

# Log in as the first school's clerk; keep the session cookie.
login() {
    curl -s -o /dev/null -D - "http://127.0.0.1:$PORT/login" -H "Origin: http://127.0.0.1:$PORT" \
        --data-urlencode "username=$1" --data-urlencode "password=Zeren-demo-2026" |
        grep -i '^set-cookie: zeren_session=' | head -n1 | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r'
}
COOKIE=$(login clerk)
SCHOOL=$(sqlite3 "$OUT/data/zeren.db" "SELECT g.unit_id FROM grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'clerk'")
echo "clerk's unit: $SCHOOL; obligations in the database: $(sqlite3 "$OUT/data/zeren.db" 'SELECT count(*) FROM obligations'), records: $(sqlite3 "$OUT/data/zeren.db" 'SELECT count(*) FROM records')"

for path in /work "/units/$SCHOOL/ledger?year=2026"; do
    echo "== GET $path, 16 clients, 20 s"
    curl -fs -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path"
    wrk -t2 -c16 -d20s --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx"
done

# The oversight dashboard (issue 14) as the bureau's office: the whole tree, and one school's.
BUREAU_COOKIE=$(login bureau)
TOP=$(sqlite3 "$OUT/data/zeren.db" "SELECT id FROM units WHERE parent_id IS NULL")
for path in "/units/$TOP/dashboard?year=2026" "/units/$SCHOOL/dashboard?year=2026" "/api/v1/units/$TOP/dashboard?year=2026"; do
    echo "== GET $path (bureau), 16 clients, 20 s"
    curl -fs -o /dev/null -H "Cookie: $BUREAU_COOKIE" "http://127.0.0.1:$PORT$path"
    wrk -t2 -c16 -d20s --latency -H "Cookie: $BUREAU_COOKIE" "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx"
done

echo "== GET /units/$SCHOOL/ledger.xlsx?year=2026, 30 requests one at a time"
for _ in $(seq 1 30); do
    curl -fs -o /dev/null -w "%{time_total}\n" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/units/$SCHOOL/ledger.xlsx?year=2026"
done | sort -n | awk '{a[NR]=$1} END {printf "xlsx export: median %.1f ms, p90 %.1f ms, max %.1f ms\n", a[int(NR/2)+1]*1000, a[int(NR*0.9)]*1000, a[NR]*1000}'
