#!/usr/bin/env python3
"""Issue 18's benchmark: two `zeren serve` instances on one PostgreSQL send 10,000 reminder
e-mails while one of them is killed with SIGKILL five times (and restarted at once); then the
delivery ledger and a loopback mail server are compared: every message delivered; no recipient
given two different messages; and a message that reached the server twice only as the same
message (its Message-ID) sent again after an attempt the ledger counts in doubt (its instance died
between handing the message over — just before the data's final dot — and recording the answer).

    python3 bench/notify/harness.py --url postgres://postgres@127.0.0.1:5432/postgres

The reminders are put in the ledger as the notices scan puts them (a `deliveries` row, e-mail,
and its `deliver` job with its dedupe key) directly in SQL, 10,000 at once, after the first
instance created the schema. The mail server is a small SMTP server in this script that takes
every message and records its recipient and Message-ID; it counts both what it received (every
SMTP transaction) and what a mailbox that recognises repeats by Message-ID would hold. Only the standard library is used; the binary is
target/release/zeren (or --bin). Prints a summary and writes it as JSON to
bench/out/notify-postgres.json. Exit 0 only when every message was delivered, no recipient
received two different messages, and every message received twice is counted in doubt in the
ledger.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sink:
    """A mail server on loopback: takes every message; counts them by recipient."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_rcpt = {}
        self.by_id = {}
        self.ids_of = {}
        self.total = 0
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    self.converse()
                except ConnectionError:
                    pass  # a killed instance's connection: what it sent without a final dot is no message

            def converse(self):
                w = self.wfile
                w.write(b"220 sink ESMTP\r\n")
                rcpt = []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").strip()
                    up = cmd.upper()
                    if up.startswith("EHLO") or up.startswith("HELO"):
                        w.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif up.startswith("RCPT TO:"):
                        rcpt.append(cmd[8:].strip().strip("<>"))
                        w.write(b"250 ok\r\n")
                    elif up == "DATA":
                        w.write(b"354 go ahead\r\n")
                        mid = None
                        complete = False
                        while True:
                            l = self.rfile.readline()
                            if not l:
                                break
                            if l.rstrip(b"\r\n") == b".":
                                complete = True
                                break
                            if mid is None and l[:11].lower() == b"message-id:":
                                mid = l[11:].strip().decode("ascii", "replace")
                        if not complete:
                            return  # no final dot: no message (as a real server)
                        with sink.lock:
                            for r in rcpt:
                                sink.by_rcpt[r] = sink.by_rcpt.get(r, 0) + 1
                                sink.by_id[mid] = sink.by_id.get(mid, 0) + 1
                                sink.ids_of.setdefault(r, set()).add(mid)
                                sink.total += 1
                        rcpt = []
                        w.write(b"250 queued\r\n")
                    elif up == "QUIT":
                        w.write(b"221 bye\r\n")
                        return
                    else:
                        w.write(b"250 ok\r\n")

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Instance:
    """One `zeren serve` process on a data directory and a fixed port (kept across restarts)."""

    def __init__(self, binary, data, env):
        self.binary, self.data, self.env = binary, data, env
        self.port = free_port()
        self.proc = None
        self.log = open(os.path.join(data, "server.log"), "ab")

    def start(self, timeout=60):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited; see {self.data}/server.log")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return time.time() - t0
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become ready")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


def psql(url, sql):
    out = subprocess.run(["psql", url, "-tAqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "zeren"))
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--timeout", type=int, default=1800)
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} is missing: cargo build --release --bin zeren")
    rng = random.Random(args.seed)
    sink = Sink()
    work = tempfile.mkdtemp(prefix="zeren-notify-bench-")
    db = f"zeren_notify_{os.getpid()}"
    psql(args.url, f"CREATE DATABASE {db}")
    url = f"{args.url.rsplit('/', 1)[0]}/{db}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEREN_")}
    env.update({
        "ZEREN_LOG": "warn",
        "ZEREN_DATABASE_URL": url,
        "ZEREN_SMTP_HOST": "127.0.0.1",
        "ZEREN_SMTP_PORT": str(sink.port),
        "ZEREN_SMTP_TLS": "none",
        "ZEREN_SMTP_FROM": "zeren@bench.example",
    })
    a_dir, b_dir = os.path.join(work, "a"), os.path.join(work, "b")
    os.makedirs(a_dir)
    os.makedirs(b_dir)
    a = Instance(args.bin, a_dir, env)
    a.start()  # creates the schema and the keys
    for f in ("audit.key", "notify.key"):
        shutil.copy2(os.path.join(a_dir, f), os.path.join(b_dir, f))
        os.chmod(os.path.join(b_dir, f), 0o600)
    # The reminders, as the notices scan puts them in the ledger: a delivery and its job each.
    n = args.messages
    psql(url, f"""
        INSERT INTO deliveries (event, channel, recipient, period, address, subject, body, link,
            mentions, urgent, state, attempts, result_code, result, created_at)
        SELECT 'obligation:' || g || ':due_soon', 'email', 'person:' || g, 'due:2026-12-31',
            'p' || g || '@bench.example', '【即将到期】专题学习（第' || g || '号）',
            '第一中学的“专题学习”将于12月31日到期。', '/obligations/' || g, '', FALSE, 'queued', 0, '', '',
            now()
        FROM generate_series(1, {n}) g;
        INSERT INTO jobs (kind, payload, queue, dedupe_key, state, run_at, attempts, max_attempts,
            claims, last_error, created_at)
        SELECT 'deliver', '{{"delivery":' || id || '}}', NULL, 'deliver:' || id, 'queued', now(), 0, 8,
            0, '', now()
        FROM deliveries WHERE channel = 'email';
    """)
    b = Instance(args.bin, b_dir, env)
    t0 = time.time()
    b.start()
    log(f"{n} reminders queued; two instances sending; {args.kills} kill -9 of instance A")

    def sent():
        return int(psql(url, "SELECT count(*) FROM deliveries WHERE state = 'sent'"))

    kills, restarts = [], []
    for k in range(args.kills):
        # Kill at a random point of the run (spread over it), while messages are in flight.
        target = (k + rng.uniform(0.2, 0.8)) / (args.kills + 1) * n
        while sent() < target and time.time() - t0 < args.timeout:
            time.sleep(0.2)
        at = sent()
        a.kill9()
        kills.append({"after_sent": at, "at_s": round(time.time() - t0, 1)})
        restarts.append(round(a.start(), 3))
        log(f"kill {k + 1}: after {at} sent; restarted in {restarts[-1]} s")
    while sent() < n and time.time() - t0 < args.timeout:
        time.sleep(0.5)
    elapsed = time.time() - t0
    time.sleep(1)  # let the sink count the last message
    a.stop()
    b.stop()

    states = dict(
        tuple(l.split("|")) for l in psql(url, "SELECT state, count(*) FROM deliveries GROUP BY state").splitlines()
    )
    twice = psql(url, "SELECT address FROM deliveries WHERE attempts > 1").split()
    doubted = set(psql(url, "SELECT id FROM deliveries WHERE in_doubt > 0").split())
    in_doubt_attempts = int(psql(url, "SELECT coalesce(sum(in_doubt), 0) FROM deliveries"))
    # The window a crash leaves a message in doubt, as the ledger's clocks see it: from the
    # hand-over (recorded just before the data and its final dot) to the answer's recording (its
    # commit's own wait not included); and a whole attempt, from its start.
    def ms(col):
        q = ("SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY v))::numeric, 2), "
             "round((percentile_cont(0.99) WITHIN GROUP (ORDER BY v))::numeric, 2), "
             "round(max(v)::numeric, 2) FROM (SELECT extract(epoch FROM sent_at - " + col +
             ") * 1000 AS v FROM deliveries WHERE attempts = 1 AND in_doubt = 0) t")
        p50, p99, mx = psql(url, q).split("|")
        return {"p50": float(p50), "p99": float(p99), "max": float(mx)}
    window_ms = ms("handed_at")
    attempt_ms = ms("attempted_at")
    jobs = dict(
        tuple(l.split("|")) for l in psql(url, "SELECT state, count(*) FROM jobs WHERE kind = 'deliver' GROUP BY state").splitlines()
    )
    reclaimed = int(psql(url, "SELECT count(*) FROM jobs WHERE kind = 'deliver' AND claims > 1"))
    delivered = len(sink.by_rcpt)
    dup = {r: c for r, c in sink.by_rcpt.items() if c > 1}
    # Two different messages for one recipient: a duplicate whatever the mailbox does.
    different = {r: ids for r, ids in sink.ids_of.items() if len(ids) > 1}
    # The same message (Message-ID) received again: it must be one the ledger counts in doubt.
    repeats = {m: c for m, c in sink.by_id.items() if c > 1}

    def delivery_of(mid):
        m = (mid or "").strip("<>")
        return m[len("zeren-delivery-"):].split("@")[0] if m.startswith("zeren-delivery-") else None

    unexplained = [m for m in repeats if delivery_of(m) not in doubted]
    missing = n - delivered
    summary = {
        "messages": n,
        "instances": 2,
        "kills": kills,
        "restart_to_ready_s": restarts,
        "elapsed_s": round(elapsed, 1),
        "per_second": round(n / elapsed, 1),
        "ledger_states": states,
        "deliver_jobs": jobs,
        "jobs_claimed_again": reclaimed,
        "ledger_second_attempts": len(twice),
        "in_doubt_window_ms": window_ms,
        "whole_attempt_ms": attempt_ms,
        "ledger_attempts_in_doubt": in_doubt_attempts,
        "ledger_messages_with_an_attempt_in_doubt": len(doubted),
        "received": sink.total,
        "distinct_messages_received": len(sink.by_id),
        "recipients_reached": delivered,
        "missing": missing,
        "recipients_receiving_twice_at_the_server": len(dup),
        "recipients_given_two_different_messages": len(different),
        "same_message_id_received_twice": len(repeats),
        "of_those_not_in_doubt_in_the_ledger": len(unexplained),
        "held_by_a_mailbox_that_drops_repeats_by_message_id": sum(len(ids) for ids in sink.ids_of.values()),
        "binary": os.path.relpath(args.bin, ROOT),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    out = os.path.join(ROOT, "bench", "out")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "notify-postgres.json"), "w") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
    psql(args.url, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    shutil.rmtree(work, ignore_errors=True)
    ok = missing == 0 and not different and not unexplained and states.get("sent") == str(n)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
