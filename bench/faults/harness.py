#!/usr/bin/env python3
"""The standing fault harness: the release server under write load (records with attachments,
through the HTTP API with an API token), killed with SIGKILL and restarted again and again; then
every acknowledged write is looked for, SQLite's integrity_check run and `zeren audit verify`
(chain, keys, anchors, stored state) run.

    python3 bench/faults/harness.py sqlite   --cycles 100
    python3 bench/faults/harness.py postgres --cycles 20 --url postgres://postgres@127.0.0.1:5432/postgres

SQLite: one server on one data directory. PostgreSQL: two servers (two data directories holding
the same audit key) on one fresh database, writers spread over both, a random one (or both)
killed each cycle. Only the standard library is used; the binary is target/release/zeren (built
with `cargo build --release` if missing). Prints a summary and writes it as JSON to
bench/out/faults-<backend>.json. Exit 0 only when nothing acknowledged was lost and every check
passed.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "target", "release", "zeren")
PASSWORD = "Zeren-demo-2026"  # every demo account's password (src/cmd/demo.rs)
USER = "bureau"  # the bureau's office: edit rights over the whole tree


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One `zeren serve` process on a data directory and a fixed port (kept across restarts)."""

    def __init__(self, data, env):
        self.data = data
        self.env = env
        self.port = free_port()
        self.proc = None
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(data, "server.log"), "ab")

    def start(self, timeout=60):
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.data}/server.log")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
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
        return self.proc.returncode if self.proc else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def request(base, method, path, body=None, headers=None, timeout=30):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def api_token(base):
    """Log in with the form, read the CSRF token from /me, create an API token there."""
    body = urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode()
    status, headers, _ = request(
        base, "POST", "/login", body,
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": base},
    )
    assert status == 303, f"login: {status}"
    cookie = headers.get("Set-Cookie", headers.get("set-cookie", "")).split(";")[0]
    status, _, page = request(base, "GET", "/me", headers={"Cookie": cookie})
    csrf = re.search(r'name="_csrf" value="([0-9a-f]{64})"', page.decode()).group(1)
    body = urllib.parse.urlencode({"name": f"harness-{time.time()}", "_csrf": csrf}).encode()
    status, _, page = request(
        base, "POST", "/me/tokens", body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": base},
    )
    assert status == 200, f"token: {status}"
    return re.search(r"zrn_[0-9a-f]{64}", page.decode()).group(0)


def targets(base, token, want=200):
    """Obligations the bureau's office can record, each with a person of its unit."""
    h = {"Authorization": f"Bearer {token}"}
    status, _, units = request(base, "GET", "/api/v1/units", headers=h)
    assert status == 200, f"units: {status} {units[:200]}"
    units = json.loads(units)
    today = time.strftime("%Y-%m-%d")
    out = []
    for u in units:
        s, _, obs = request(base, "GET", f"/api/v1/obligations?unit={u['id']}&limit=200", headers=h)
        if s != 200:
            continue
        s, _, people = request(base, "GET", f"/api/v1/people?unit={u['id']}", headers=h)
        people = [p for p in (json.loads(people) if s == 200 else []) if p["unit_id"] == u["id"]]
        if not people:
            continue
        for o in json.loads(obs):
            # The work date must lie in the period and not in the future.
            if o["period_start"] <= today and o["every"] != "holiday":
                out.append((o["id"], people[0]["id"], o["period_start"], o["period_end"]))
        if len(out) >= want:
            break
    assert out, "no obligations to record"
    return out


class Load:
    """Writers posting records with a unique attachment each; acknowledged writes are kept."""

    def __init__(self, servers, token, obligations, writers):
        self.servers = servers
        self.token = token
        self.obligations = obligations
        self.writers = writers
        self.acked = []  # (server base, record id, marker, sha256)
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.attempts = 0
        self.failures = 0
        self.failure_kinds = {}
        self.threads = []

    def writer(self, n):
        rng = random.Random(n)
        i = 0
        while not self.stop_flag.is_set():
            i += 1
            server = self.servers[(n + i) % len(self.servers)]
            ob, person, start, end = rng.choice(self.obligations)
            marker = f"harness {os.getpid()} {n} {i} {time.time_ns()}"
            blob = os.urandom(rng.randint(2_000, 64_000))
            sha = hashlib.sha256(blob).hexdigest()
            body = json.dumps({
                "work_date": start,
                "place": "故障测试",
                "content": marker,
                "participants": [person],
                "attachments": [{
                    "file_name": f"minutes-{n}-{i}.pdf",
                    "media_type": "application/pdf",
                    "content_base64": base64.b64encode(blob).decode(),
                }],
            }).encode()
            with self.lock:
                self.attempts += 1
            try:
                status, _, resp = request(
                    server.base, "POST", f"/api/v1/obligations/{ob}/records", body,
                    {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
                    timeout=15,
                )
            except (OSError, urllib.error.URLError, http.client.HTTPException) as e:
                with self.lock:
                    self.failures += 1
                    kind = f"connection: {type(e).__name__}"
                    self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + 1
                time.sleep(0.02)
                continue
            if status == 201:
                rec = json.loads(resp)["record"]["id"]
                with self.lock:
                    self.acked.append((rec, marker, sha))
            else:
                with self.lock:
                    self.failures += 1
                    kind = f"HTTP {status}"
                    self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + 1
                if status not in (500, 502, 503) and status < 500:
                    # A 4xx is the harness's mistake: say so once in a while.
                    if rng.random() < 0.01:
                        log(f"writer {n}: {status} {resp[:200]!r}")
                time.sleep(0.02)

    def start(self):
        for n in range(self.writers):
            t = threading.Thread(target=self.writer, args=(n,), daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=30)


def check_acked(base, token, acked):
    """Every acknowledged record is there with its content and its file's digest."""
    missing = []
    h = {"Authorization": f"Bearer {token}"}
    for rec, marker, sha in acked:
        status, _, body = request(base, "GET", f"/api/v1/records/{rec}", headers=h)
        if status != 200:
            missing.append((rec, f"HTTP {status}"))
            continue
        r = json.loads(body)
        v = r["versions"][-1]
        files = [a["sha256"] for a in v["attachments"]]
        if v["version"]["content"] != marker or sha not in files:
            missing.append((rec, "content or file differs"))
    return missing


def run(args):
    if not os.path.exists(BIN):
        log("building the release binary")
        subprocess.run(["cargo", "build", "--release", "--bin", "zeren"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix=f"zeren-faults-{args.backend}-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEREN_")}
    env["ZEREN_LOG"] = "warn"
    dirs = [os.path.join(work, "a")]
    if args.backend == "postgres":
        db = f"zeren_faults_{os.getpid()}"
        admin = args.url
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], check=True)
        base_url = admin.rsplit("/", 1)[0]
        env["ZEREN_DATABASE_URL"] = f"{base_url}/{db}"
        dirs.append(os.path.join(work, "b"))
    for d in dirs:
        os.makedirs(d)
    log(f"demo organisation ({args.units} units) in {dirs[0]}")
    subprocess.run([BIN, "demo", "--data", dirs[0], "--units", str(args.units), "--years", "1"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    for d in dirs[1:]:
        # The second instance holds the same audit key.
        shutil.copy2(os.path.join(dirs[0], "audit.key"), os.path.join(d, "audit.key"))
        os.chmod(os.path.join(d, "audit.key"), 0o600)
    servers = [Server(d, env) for d in dirs]
    for s in servers:
        s.start()
    token = api_token(servers[0].base)
    obligations = targets(servers[0].base, token)
    log(f"{len(obligations)} obligations to record; {args.writers} writers; {args.cycles} kill -9 cycles")

    load = Load(servers, token, obligations, args.writers)
    load.start()
    rng = random.Random(args.seed)
    restarts = []
    t0 = time.time()
    for cycle in range(1, args.cycles + 1):
        time.sleep(rng.uniform(args.min_run, args.max_run))
        victims = servers if len(servers) == 1 else rng.choice([[servers[0]], [servers[1]], servers])
        for s in victims:
            s.kill9()
        time.sleep(rng.uniform(0.0, 0.3))
        for s in victims:
            t = time.time()
            s.start()
            restarts.append(time.time() - t)
        if cycle % 10 == 0 or cycle == args.cycles:
            with load.lock:
                log(f"cycle {cycle}: {len(load.acked)} acknowledged of {load.attempts} attempts")
    time.sleep(1)
    load.stop()
    elapsed = time.time() - t0
    log(f"checking {len(load.acked)} acknowledged writes")
    missing = check_acked(servers[0].base, token, load.acked)
    codes = [s.stop() for s in servers]

    integrity = None
    if args.backend == "sqlite":
        c = sqlite3.connect(os.path.join(dirs[0], "zeren.db"))
        integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
        c.close()
    else:
        # PostgreSQL's counterpart: amcheck over every B-tree index of the schema (its heap
        # included), as the superuser the harness was given.
        check = subprocess.run(
            ["psql", env["ZEREN_DATABASE_URL"], "-tAc",
             "CREATE EXTENSION IF NOT EXISTS amcheck; "
             "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
             "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
             "WHERE c.relnamespace = 'public'::regnamespace AND a.amname = 'btree'"],
            capture_output=True, text=True)
        lines = check.stdout.strip().splitlines()
        integrity = (f"ok (amcheck: {lines[-1]} indexes)" if check.returncode == 0 and lines
                     else f"amcheck failed: {check.stderr.strip()}")
    verify = []
    for d in dirs:
        v = subprocess.run([BIN, "audit", "verify", "--data", d], env=env,
                           capture_output=True, text=True)
        verify.append((v.returncode, (v.stdout + v.stderr).strip()))

    summary = {
        "backend": args.backend,
        "instances": len(servers),
        "cycles": args.cycles,
        "writers": args.writers,
        "seconds": round(elapsed, 1),
        "attempts": load.attempts,
        "acknowledged": len(load.acked),
        "failed_or_cut": load.failures,
        "failure_kinds": load.failure_kinds,
        "acknowledged_missing": len(missing),
        "missing_examples": missing[:5],
        "restart_seconds_median": round(sorted(restarts)[len(restarts) // 2], 3),
        "restart_seconds_max": round(max(restarts), 3),
        "graceful_stop_codes": codes,
        "integrity_check": integrity,
        "audit_verify": verify,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    out = os.path.join(ROOT, "bench", "out")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"faults-{args.backend}.json"), "w") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
    ok = (not missing and all(c == 0 for c, _ in verify)
          and (integrity or "").startswith("ok") and len(load.acked) > 0)
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
        if args.backend == "postgres":
            subprocess.run(["psql", args.url, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
    else:
        log(f"kept {work} for inspection")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("backend", choices=["sqlite", "postgres"])
    p.add_argument("--cycles", type=int, default=100)
    p.add_argument("--writers", type=int, default=8)
    p.add_argument("--units", type=int, default=25)
    p.add_argument("--min-run", type=float, default=0.5, help="least seconds of load before a kill")
    p.add_argument("--max-run", type=float, default=2.0, help="most seconds of load before a kill")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/postgres",
                   help="PostgreSQL URL of a database to create the test database from")
    p.add_argument("--keep", action="store_true", help="keep the data directories")
    sys.exit(run(p.parse_args()))


if __name__ == "__main__":
    main()
