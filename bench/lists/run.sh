#!/usr/bin/env bash
# Lists at scale (issue 13), the anchor's shape: a demo organisation of UNITS units and YEARS years
# (10,000 units × 2 years ≈ 100,000 obligations), served by the release binary on SQLite; as the
# bureau's office (who sees the whole tree), a 10-row page of the obligations API unfiltered and
# filtered (open, due in the next 30 days), a page deep in the list (by its cursor) and one
# obligation's detail, each at 1 and at 16 concurrent clients (wrk); 我的工作 of a school's clerk
# while 16 clients hammer the list; a unit-year XLSX export at 16 clients; the server's peak RSS.
#
#   bash bench/lists/run.sh [UNITS] [YEARS] [SECONDS]      (default 10000 2 15; needs wrk, sqlite3)
#
# Reuses the demo in bench/out/lists-UNITS-YEARS when it exists (delete it to regenerate).
set -euo pipefail
cd "$(dirname "$0")/../.."
UNITS=${1:-10000}
YEARS=${2:-2}
SECS=${3:-15}
TODAY=2026-11-29
OUT=bench/out/lists-$UNITS-$YEARS
PORT=18191
# BIN=path/to/zeren uses that binary as it is (a release build of this commit).
if [ -z "${BIN:-}" ]; then
    cargo build --release -q --bin zeren
    BIN=${CARGO_TARGET_DIR:-target}/release/zeren
fi
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -f "$OUT/data/zeren.db" ]; then
    rm -rf "$OUT" && mkdir -p "$OUT"
    echo "== demo: $UNITS units, $YEARS years"
    START=$SECONDS
    "$BIN" demo --data "$OUT/data" --units "$UNITS" --years "$YEARS" --today "$TODAY" | sed -n 2p
    echo "demo generated in $((SECONDS - START)) s"
fi
DB="$OUT/data/zeren.db"
echo "obligations: $(sqlite3 "$DB" 'SELECT count(*) FROM obligations'), records: $(sqlite3 "$DB" 'SELECT count(*) FROM records'), units: $(sqlite3 "$DB" 'SELECT count(*) FROM units'), database: $(du -sh "$DB" | cut -f1)"

"$BIN" serve --data "$OUT/data" --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

login() {
    curl -s -o /dev/null -D - "http://127.0.0.1:$PORT/login" -H "Origin: http://127.0.0.1:$PORT" \
        --data-urlencode "username=$1" --data-urlencode "password=Zeren-demo-2026" |
        grep -i '^set-cookie: zeren_session=' | head -n1 | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r'
}
BUREAU=$(login bureau)
CLERK=$(login clerk)
TOP=$(sqlite3 "$DB" "SELECT id FROM units WHERE parent_id IS NULL")
SCHOOL=$(sqlite3 "$DB" "SELECT g.unit_id FROM grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'clerk'")
SERVER_TODAY=$(date -u +%F)
IN30=$(date -u -d "$SERVER_TODAY + 30 days" +%F)
# A page deep in the list: the cursor of the row in the middle of the whole tree's list.
MIDDLE=$(sqlite3 "$DB" "SELECT due_on || '_' || id FROM obligations ORDER BY due_on, id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM obligations)")
DETAIL=$(sqlite3 "$DB" "SELECT id FROM obligations o WHERE EXISTS (SELECT 1 FROM records r WHERE r.obligation_id = o.id) ORDER BY id DESC LIMIT 1")

LIST="/api/v1/obligations?unit=$TOP&subtree=true&limit=10"
FILTERED="$LIST&status=open&due_from=$SERVER_TODAY&due_to=$IN30"
DEEP="$LIST&after=$MIDDLE"

wrk_run() { # clients path cookie
    curl -fs -o /dev/null -H "Cookie: $3" "http://127.0.0.1:$PORT$2" || { echo "GET $2 failed"; exit 1; }
    wrk -t$(( $1 < 2 ? 1 : 2 )) -c"$1" -d"${SECS}s" --latency -H "Cookie: $3" "http://127.0.0.1:$PORT$2" |
        grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors" | tr -s ' ' | tr '\n' ' '
    echo
}

for spec in "unfiltered|$LIST" "filtered (open, due in 30 days)|$FILTERED" "deep page (after the middle row)|$DEEP" "detail|/api/v1/obligations/$DETAIL"; do
    name=${spec%%|*}
    path=${spec#*|}
    rows=$(curl -fs -H "Cookie: $BUREAU" "http://127.0.0.1:$PORT$path" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d) if isinstance(d, list) else 1)')
    for c in 1 16; do
        echo "== $name, c=$c ($rows rows): $(wrk_run $c "$path" "$BUREAU")"
    done
done

echo "== 我的工作 (clerk) while 16 clients run the unfiltered list"
wrk -t1 -c16 -d"$((SECS + 4))s" -H "Cookie: $BUREAU" "http://127.0.0.1:$PORT$LIST" > /dev/null &
HAMMER=$!
sleep 2
echo "   $(wrk_run 1 /work "$CLERK")"
wait $HAMMER
echo "== 我的工作 (clerk) alone, c=16: $(wrk_run 16 /work "$CLERK")"
echo "== XLSX export of a school-year, c=16: $(wrk_run 16 "/units/$SCHOOL/ledger.xlsx?year=2026" "$CLERK")"
echo "== peak RSS of the server: $(grep VmHWM /proc/$SERVER/status | tr -s ' ' | cut -d' ' -f2-3), now $(grep VmRSS /proc/$SERVER/status | tr -s ' ' | cut -d' ' -f2-3)"
echo "machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
