#!/usr/bin/env bash
# Lists at scale (issue 13), the anchor's shape: a demo organisation of UNITS units and YEARS years
# (10,000 units × 3 years ≈ 120,000 obligations), served by the release binary on SQLite or on
# PostgreSQL (one or two instances); as the bureau's office (who sees the whole tree), a 10-row page
# of the obligations API unfiltered and filtered (open, due in the next 30 days), a page deep in
# the list (by its cursor) and one obligation's detail, each at 1 and at 16 concurrent clients
# (wrk); 我的工作 of a school's clerk while 16 clients hammer the list; a unit-year XLSX export at 16
# clients; the servers' peak RSS.
#
#   bash bench/lists/run.sh [UNITS] [YEARS] [SECONDS]      (default 10000 3 15)
#
# Environment:
#   DB=sqlite|postgres   the database (default sqlite). PostgreSQL at PGURL (default
#                        postgres://postgres@127.0.0.1:5432), database zeren_bench_lists_UNITS_YEARS.
#   INSTANCES=1|2        how many servers share the database (2 needs PostgreSQL); wrk's clients
#                        are split between them.
#   GROW=N               before measuring, copy the demo's obligations into earlier years until
#                        the table holds about N rows (a copy of the demo is grown; the demo stays).
#   BIN=path/to/zeren    a release build of this commit to use as it is.
#
# Needs wrk, sqlite3 and psql. Reuses the demo in bench/out/lists-UNITS-YEARS (and its PostgreSQL
# database) when it exists; delete them to regenerate.
set -euo pipefail
cd "$(dirname "$0")/../.."
UNITS=${1:-10000}
YEARS=${2:-3}
SECS=${3:-15}
DB=${DB:-sqlite}
INSTANCES=${INSTANCES:-1}
GROW=${GROW:-}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
TODAY=2026-11-29
OUT=bench/out/lists-$UNITS-$YEARS
PGDB=zeren_bench_lists_${UNITS}_${YEARS}
PORT=18191
if [ "$INSTANCES" -gt 1 ] && [ "$DB" != postgres ]; then
    echo "INSTANCES=$INSTANCES needs DB=postgres" >&2
    exit 2
fi
if [ -z "${BIN:-}" ]; then
    cargo build --release -q --bin zeren
    BIN=${CARGO_TARGET_DIR:-target}/release/zeren
fi
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg); $DB, $INSTANCES instance(s)"

psql_admin() { psql "$PGURL/postgres" -v ON_ERROR_STOP=1 -qAtc "$1"; }

# --- the demo (generated once per database) -------------------------------------------------
DATA=$OUT/data-$DB
if [ "$DB" = postgres ]; then
    if [ ! -f "$DATA/.demo-done" ]; then
        rm -rf "$DATA" && mkdir -p "$DATA"
        psql_admin "DROP DATABASE IF EXISTS $PGDB"
        psql_admin "CREATE DATABASE $PGDB"
        echo "== demo on PostgreSQL: $UNITS units, $YEARS years"
        START=$(date +%s.%N)
        ZEREN_DATABASE_URL=$PGURL/$PGDB "$BIN" demo --data "$DATA" --units "$UNITS" --years "$YEARS" --today "$TODAY" | sed -n 2p
        echo "demo generated in $(echo "$(date +%s.%N) - $START" | bc) s (PostgreSQL)"
        touch "$DATA/.demo-done"
    fi
else
    if [ ! -f "$DATA/zeren.db" ]; then
        rm -rf "$DATA" && mkdir -p "$DATA"
        echo "== demo on SQLite: $UNITS units, $YEARS years"
        START=$(date +%s.%N)
        "$BIN" demo --data "$DATA" --units "$UNITS" --years "$YEARS" --today "$TODAY" | sed -n 2p
        echo "demo generated in $(echo "$(date +%s.%N) - $START" | bc) s (SQLite)"
    fi
fi

# --- the data measured: the demo, or a grown copy of it ---------------------------------------
if [ -n "$GROW" ]; then
    RUN=$OUT/grown-$GROW-$DB
    RUNDB=${PGDB}_grown_$GROW
    if [ ! -f "$RUN/.grown" ]; then
        rm -rf "$RUN" && cp -a "$DATA" "$RUN"
        if [ "$DB" = postgres ]; then
            psql_admin "DROP DATABASE IF EXISTS $RUNDB"
            psql_admin "CREATE DATABASE $RUNDB TEMPLATE $PGDB"
        fi
    fi
else
    RUN=$DATA
    RUNDB=$PGDB
fi
if [ "$DB" = postgres ]; then
    export ZEREN_DATABASE_URL=$PGURL/$RUNDB
    q() { psql "$ZEREN_DATABASE_URL" -qAtc "$1"; }
    SIZE=$(q "SELECT pg_size_pretty(pg_database_size(current_database()))")
else
    unset ZEREN_DATABASE_URL
    q() { sqlite3 "$RUN/zeren.db" "$1"; }
    SIZE=$(du -sh "$RUN/zeren.db" | cut -f1)
fi

if [ -n "$GROW" ] && [ ! -f "$RUN/.grown" ]; then
    # Earlier years of the same organisation: the demo's obligations (with their status) copied
    # SPAN years back, then 2×SPAN, … until the table holds about GROW rows. Records are not
    # copied (the list reads the status kept on the obligation, not the records).
    SPAN=$YEARS
    HAVE=$(q "SELECT count(*) FROM obligations")
    BASE=$HAVE
    k=1
    START=$(date +%s)
    while [ $((HAVE + BASE)) -le "$((GROW + BASE / 2))" ]; do
        back=$((k * SPAN))
        cols="installed_policy_id, policy_id, duty_id, title, unit_id, person_id, person_key, every, period_start, period_end, period_label, due_on, times, evidence, report_to_parent, created_at, done_on"
        if [ "$DB" = postgres ]; then
            shift_d() { echo "($1 - interval '$back years')::date"; }
        else
            shift_d() { echo "date($1, '-$back years')"; }
        fi
        q "INSERT INTO obligations ($cols)
           SELECT installed_policy_id, policy_id, duty_id, title, unit_id, person_id, person_key, every,
                  $(shift_d period_start), $(shift_d period_end), period_label, $(shift_d due_on), times,
                  evidence, report_to_parent, created_at, $(shift_d done_on)
           FROM obligations WHERE period_start >= '$((2026 - YEARS + 1))-01-01'
           ON CONFLICT DO NOTHING" >/dev/null
        HAVE=$(q "SELECT count(*) FROM obligations")
        k=$((k + 1))
    done
    if [ "$DB" = postgres ]; then q "VACUUM ANALYZE obligations" >/dev/null; else q "ANALYZE" >/dev/null; fi
    echo "grown to $HAVE obligations ($((k - 1)) copies of the demo's years, $(( $(date +%s) - START )) s)"
    touch "$RUN/.grown"
    SIZE=$( [ "$DB" = postgres ] && q "SELECT pg_size_pretty(pg_database_size(current_database()))" || du -sh "$RUN/zeren.db" | cut -f1)
fi
# Sixteen office clerks of the clerk's school (the same password and grant), so that sixteen
# concurrent exports are sixteen people: each account may run two expensive requests at once.
q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16)
   INSERT INTO accounts (username, person_id, password_hash, admin_duty, active, created_at, password_changed_at, must_change_password)
   SELECT 'bench' || i, NULL, a.password_hash, 'none', TRUE, a.created_at, a.password_changed_at, FALSE
   FROM n, accounts a WHERE a.username = 'clerk' ON CONFLICT DO NOTHING" >/dev/null
q "INSERT INTO grants (account_id, unit_id, level)
   SELECT b.id, g.unit_id, g.level FROM accounts b, grants g JOIN accounts c ON c.id = g.account_id
   WHERE c.username = 'clerk' AND b.username LIKE 'bench%' ON CONFLICT DO NOTHING" >/dev/null
if [ "$DB" = postgres ]; then q "ANALYZE" >/dev/null; fi
echo "obligations: $(q 'SELECT count(*) FROM obligations'), records: $(q 'SELECT count(*) FROM records'), units: $(q 'SELECT count(*) FROM units'), database: $SIZE"

# --- the servers ---------------------------------------------------------------------------------
SERVERS=()
PORTS=()
# Stopped and waited for: the next run may use the same data directory, which a server locks.
cleanup() {
    for s in "${SERVERS[@]}"; do kill "$s" 2>/dev/null || true; done
    for s in "${SERVERS[@]}"; do wait "$s" 2>/dev/null || true; done
}
trap cleanup EXIT
for i in $(seq 1 "$INSTANCES"); do
    p=$((PORT + i - 1))
    # Each instance has its own data directory (a server locks its own) with the same keys.
    dir=$RUN
    if [ "$i" -gt 1 ]; then
        dir=$RUN-instance-$i
        rm -rf "$dir" && mkdir -p "$dir"
        for f in audit.key audit.keyring audit.anchors notify.key; do
            if [ -f "$RUN/$f" ]; then cp -p "$RUN/$f" "$dir/"; fi
        done
    fi
    "$BIN" serve --data "$dir" --listen 127.0.0.1:$p > "$dir/serve-$i.log" 2>&1 &
    SERVERS+=($!)
    PORTS+=($p)
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.1; done
done

login() {
    curl -s -o /dev/null -D - "http://127.0.0.1:$PORT/login" -H "Origin: http://127.0.0.1:$PORT" \
        --data-urlencode "username=$1" --data-urlencode "password=Zeren-demo-2026" |
        grep -i '^set-cookie: zeren_session=' | head -n1 | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r'
}
BUREAU=$(login bureau)
CLERK=$(login clerk)
export COOKIES=$RUN/cookies
for i in $(seq 1 16); do login "bench$i"; done > "$COOKIES"
TOP=$(q "SELECT id FROM units WHERE parent_id IS NULL")
SCHOOL=$(q "SELECT g.unit_id FROM grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'clerk'")
SERVER_TODAY=$(date -u +%F)
IN30=$(date -u -d "$SERVER_TODAY + 30 days" +%F)
# A page deep in the list: the cursor of the row in the middle of the whole tree's list.
MIDDLE=$(q "SELECT due_on || '_' || id FROM obligations ORDER BY due_on, id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM obligations)")
DETAIL=$(q "SELECT id FROM obligations o WHERE EXISTS (SELECT 1 FROM records r WHERE r.obligation_id = o.id) ORDER BY id DESC LIMIT 1")

LIST="/api/v1/obligations?unit=$TOP&subtree=true&limit=10"
FILTERED="$LIST&status=open&due_from=$SERVER_TODAY&due_to=$IN30"
DEEP="$LIST&after=$MIDDLE"

# wrk against every instance at once, the clients split between them; prints the worst
# percentiles of the instances and the sum of their rates. COOKIE "sessions": one of the sixteen
# clerks per connection.
wrk_run() { # clients path cookie [seconds]
    local c=$1 path=$2 cookie=$3 secs=${4:-$SECS} n=${#PORTS[@]} outs=() pids=()
    curl -fs -o /dev/null -H "Cookie: $( [ "$cookie" = sessions ] && head -n1 "$COOKIES" || echo "$cookie")" "http://127.0.0.1:$PORT$path" || { echo "GET $path failed"; exit 1; }
    for p in "${PORTS[@]}"; do
        local each=$(( c / n < 1 ? 1 : c / n )) f
        f=$(mktemp)
        outs+=("$f")
        if [ "$cookie" = sessions ]; then # one person per connection
            wrk -t"$each" -c"$each" -d"${secs}s" --latency -s bench/lists/sessions.lua "http://127.0.0.1:$p$path" > "$f" &
        else
            wrk -t$(( each < 2 ? 1 : 2 )) -c"$each" -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$p$path" > "$f" &
        fi
        pids+=($!)
    done
    wait "${pids[@]}"
    python3 - "${outs[@]}" <<'EOF'
import re, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]
rate, worst, bad = 0.0, {}, 0
for f in sys.argv[1:]:
    t = open(f).read()
    rate += float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    for p in ("50%", "90%", "99%"):
        worst[p] = max(worst.get(p, 0), ms(re.search(r"^\s*" + p + r"\s+(\S+)", t, re.M).group(1)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    bad += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", t)
    if m: bad += sum(int(x) for x in re.findall(r"\d+", m.group(1)))
print(f"p50 {worst['50%']:.2f} ms, p90 {worst['90%']:.2f} ms, p99 {worst['99%']:.2f} ms, {rate:.0f} req/s" + (f", {bad} errors" if bad else ""))
EOF
    rm -f "${outs[@]}"
}

for spec in "unfiltered|$LIST" "filtered (open, due in 30 days)|$FILTERED" "deep page (after the middle row)|$DEEP" "detail|/api/v1/obligations/$DETAIL"; do
    name=${spec%%|*}
    path=${spec#*|}
    rows=$(curl -fs -H "Cookie: $BUREAU" "http://127.0.0.1:$PORT$path" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d) if isinstance(d, list) else 1)')
    for c in 1 16; do
        [ "$c" -lt "$INSTANCES" ] && continue
        echo "== $name, c=$c ($rows rows): $(wrk_run $c "$path" "$BUREAU")"
    done
done

echo "== 我的工作 (clerk), c=1, while 16 clients run the unfiltered list"
wrk -t1 -c16 -d"$((SECS + 4))s" -H "Cookie: $BUREAU" "http://127.0.0.1:$PORT$LIST" > /dev/null &
HAMMER=$!
sleep 2
echo "   $(wrk_run 1 /work "$CLERK")"
wait $HAMMER
echo "== 我的工作 (clerk) alone, c=16: $(wrk_run 16 /work "$CLERK")"
echo "== XLSX export of a school-year, 16 clerks at once: $(wrk_run 16 "/units/$SCHOOL/ledger.xlsx?year=2026" sessions)"
for i in "${!SERVERS[@]}"; do
    s=${SERVERS[$i]}
    echo "== peak RSS of server $((i + 1)): $(grep VmHWM /proc/$s/status | tr -s ' ' | cut -d' ' -f2-3), now $(grep VmRSS /proc/$s/status | tr -s ' ' | cut -d' ' -f2-3)"
done
echo "machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
