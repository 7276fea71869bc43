#!/usr/bin/env python3
"""Publication-scanner benchmark, in one run: precision, recall and F1 per kind on the labelled synthetic
corpus from `zeren scan --format json`, and the throughput of `zeren scan --format json` on dense and
clean text next to Microsoft Presidio's PatternRecognizer with the same rules (regular expressions plus the
same check-digit validators; no NLP model).

Throughput is reported by CPU time (user + system of the `zeren` process; process CPU time of the Python
interpreter for Presidio), because other builds share this machine's two cores and wall time mostly
measures them; wall time is shown too.

usage: bench.py [--out bench/out/scan] [--zeren target/release/zeren] [--presidio-mb 2] [--runs 5]
                [--skip-presidio]
Run from the repository root; see docs/benchmarks.md.
"""

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KINDS = ["cn_resident_id", "cn_mobile", "bank_card", "cn_passport", "secrecy_marking", "custom_term"]
BLOCKING = {"high", "medium"}


def sh(cmd, ok=(0,), **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode not in ok:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd[:3]), p.returncode, p.stderr[-2000:]))
    return p.stdout


def build():
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    sh(["cargo", "build", "--release", "--bin", "zeren"], cwd=ROOT, env=env)
    return os.path.join(env["CARGO_TARGET_DIR"], "release", "zeren")


def score(labels, preds, mode):
    """Per-kind TP/FP/FN. A prediction matches a label of the same kind whose span overlaps it.
    mode "block": labels expecting "block" against predictions of medium/high confidence; a blocking
    prediction on a "show" label is a false positive. mode "all": every label against every prediction."""
    out = {k: [0, 0, 0] for k in KINDS}
    by_file = {}
    for l in labels:
        by_file.setdefault(l["file"], []).append(l)
    files = set(by_file) | set(preds)
    for f in files:
        gold = by_file.get(f, [])
        pred = preds.get(f, [])
        if mode == "block":
            pred = [p for p in pred if p["confidence"] in BLOCKING]
        used = set()
        for p in pred:
            hit = None
            for i, g in enumerate(gold):
                if i not in used and g["kind"] == p["kind"] and g["start"] < p["end"] and p["start"] < g["end"]:
                    hit = i
                    break
            if hit is None:
                out[p["kind"]][1] += 1
            elif mode == "block" and gold[hit]["expect"] != "block":
                used.add(hit)
                out[p["kind"]][1] += 1
            else:
                used.add(hit)
                out[p["kind"]][0] += 1
        for i, g in enumerate(gold):
            if i in used:
                continue
            if mode == "block" and g["expect"] != "block":
                continue
            out[g["kind"]][2] += 1
    return out


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def table(title, scores):
    lines = ["", "### " + title, "", "| kind | TP | FP | FN | precision | recall | F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for k in KINDS:
        tp, fp, fn = scores[k]
        if tp + fp + fn == 0:
            continue
        p, r, f = prf(tp, fp, fn)
        lines.append("| %s | %d | %d | %d | %.4f | %.4f | %.4f |" % (k, tp, fp, fn, p, r, f))
    return "\n".join(lines)


def zeren_findings(binary, files, terms):
    preds = {}
    for i in range(0, len(files), 400):
        out = sh([binary, "scan", "--format", "json", "--terms", terms] + files[i:i + 400], ok=(0, 1))
        for line in out.splitlines():
            o = json.loads(line)
            if "unreadable" in o:
                sys.exit("unreadable %s: %s" % (o["file"], o["error"]))
            preds[os.path.basename(o["file"])] = o["findings"]
    return preds


def time_cli(binary, path, runs):
    """Median CPU and wall seconds of `zeren scan --format json PATH > /dev/null`, and its findings."""
    cpu, wall = [], []
    findings = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        with open(os.devnull, "w") as null:
            code = subprocess.run([binary, "scan", "--format", "json", path], stdout=null).returncode
        wall.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if code not in (0, 1):
            sys.exit("zeren scan failed on %s" % path)
    out = sh([binary, "scan", "--format", "json", path], ok=(0, 1))
    findings = len(json.loads(out)["findings"])
    cpu.sort()
    wall.sort()
    return cpu[len(cpu) // 2], wall[len(wall) // 2], findings


def time_presidio(presidio_rules, sample, runs):
    cpu, wall = [], []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        presidio_rules.analyze(sample)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    cpu.sort()
    wall.sort()
    return cpu[len(cpu) // 2], wall[len(wall) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "scan"))
    ap.add_argument("--zeren", help="a release build of zeren (default: build one)")
    ap.add_argument("--presidio-mb", type=float, default=2.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-presidio", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.out, "labels.jsonl")):
        sh([sys.executable, os.path.join(HERE, "gen_corpus.py"), a.out])
    labels = [json.loads(l) for l in open(os.path.join(a.out, "labels.jsonl"), encoding="utf-8")]
    for l in labels:
        l["file"] = os.path.basename(l["file"])
    files = sorted(glob.glob(os.path.join(a.out, "docs", "*.txt")))
    terms = os.path.join(a.out, "terms.txt")
    corpus_bytes = sum(os.path.getsize(f) for f in files)

    binary = a.zeren or build()
    t = time.perf_counter()
    preds = zeren_findings(binary, files, terms)
    corpus_secs = time.perf_counter() - t
    report = ["## zeren scan", "",
              "%d documents, %.1f MB, %d labels (%d blocking). `zeren scan --format json` over the whole corpus: %.2f s wall." % (
                  len(files), corpus_bytes / 1e6, len(labels), sum(1 for l in labels if l["expect"] == "block"), corpus_secs)]
    report.append(table("zeren scan — blocking findings (medium/high) against blocking labels", score(labels, preds, "block")))
    report.append(table("zeren scan — every finding (low included) against every label", score(labels, preds, "all")))

    speed = {}
    for name in ["dense", "clean"]:
        path = os.path.join(a.out, name + ".txt")
        cpu, wall, n = time_cli(binary, path, a.runs)
        speed[name] = (os.path.getsize(path), cpu, wall, n)

    presidio = {}
    if not a.skip_presidio:
        import presidio_rules
        t = time.perf_counter()
        ppreds = {os.path.basename(f): presidio_rules.analyze(open(f, encoding="utf-8").read()) for f in files}
        psecs = time.perf_counter() - t
        report += ["", "## Microsoft Presidio (PatternRecognizer, same rules)", "",
                   "presidio-analyzer %s; the whole corpus took %.1f s wall." % (presidio_rules.version(), psecs)]
        report.append(table("Presidio — every finding against every label (no confidence tiers or context rules)", score(labels, ppreds, "all")))
        for name in ["dense", "clean"]:
            with open(os.path.join(a.out, name + ".txt"), encoding="utf-8") as fh:
                sample = fh.read(int(a.presidio_mb * 1_000_000 / 3))
            n = len(sample.encode("utf-8"))
            cpu, wall = time_presidio(presidio_rules, sample, max(1, a.runs // 2))
            presidio[name] = (n, cpu, wall)

    report += ["", "### Throughput, one run, same machine (MB = 10⁶ bytes; median of %d runs)" % a.runs, "",
               "| text | size | findings | `zeren scan --format json` MB/s (CPU) | (wall) | Presidio sample | Presidio MB/s (CPU) | (wall) | ratio (CPU) | ratio (wall) |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in ["dense", "clean"]:
        size, cpu, wall, n = speed[name]
        ours_cpu, ours_wall = size / 1e6 / cpu, size / 1e6 / wall
        row = "| %s | %.1f MB | %d | %.0f | %.0f |" % (name, size / 1e6, n, ours_cpu, ours_wall)
        if name in presidio:
            pn, pcpu, pwall = presidio[name]
            p_cpu, p_wall = pn / 1e6 / pcpu, pn / 1e6 / pwall
            row += " %.1f MB | %.2f | %.2f | %.0f× | %.0f× |" % (pn / 1e6, p_cpu, p_wall, ours_cpu / p_cpu, ours_wall / p_wall)
        else:
            row += " | | | | |"
        report.append(row)
    print("\n".join(report))


if __name__ == "__main__":
    main()
