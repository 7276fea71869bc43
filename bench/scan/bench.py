#!/usr/bin/env python3
"""Publication-scanner benchmark: precision, recall and F1 per kind on the labelled synthetic corpus, and
single-core throughput on clean and dense text — for zeren-scan and, side by side, Microsoft Presidio's
PatternRecognizer with the same rules (regular expressions plus the same check-digit validators; no NLP model).

usage: bench.py [--out bench/out/scan] [--presidio-mb 2] [--skip-presidio]
Run from the repository root; see docs/benchmarks.md.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KINDS = ["cn_resident_id", "cn_mobile", "bank_card", "cn_passport", "secrecy_marking", "custom_term"]
BLOCKING = {"high", "medium"}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def build():
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    sh(["cargo", "build", "--release", "-p", "zeren-scan", "--example", "scan_bench"], cwd=ROOT, env=env)
    return os.path.join(env["CARGO_TARGET_DIR"], "release", "examples", "scan_bench")


def pin():
    """Runs children on one core when taskset exists."""
    return ["taskset", "-c", "0"] if subprocess.run(["which", "taskset"], capture_output=True).returncode == 0 else []


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
        out = sh(pin() + [binary, "findings", "--terms", terms] + files[i:i + 400])
        for line in out.splitlines():
            o = json.loads(line)
            if "error" in o:
                sys.exit("error on %s: %s" % (o["file"], o["error"]))
            preds[os.path.basename(o["file"])] = o["findings"]
    return preds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "scan"))
    ap.add_argument("--presidio-mb", type=float, default=2.0)
    ap.add_argument("--skip-presidio", action="store_true")
    ap.add_argument("--seconds", default="3")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.out, "labels.jsonl")):
        sh([sys.executable, os.path.join(HERE, "gen_corpus.py"), a.out])
    labels = [json.loads(l) for l in open(os.path.join(a.out, "labels.jsonl"), encoding="utf-8")]
    for l in labels:
        l["file"] = os.path.basename(l["file"])
    files = sorted(glob.glob(os.path.join(a.out, "docs", "*.txt")))
    terms = os.path.join(a.out, "terms.txt")
    corpus_bytes = sum(os.path.getsize(f) for f in files)

    binary = build()
    t = time.perf_counter()
    preds = zeren_findings(binary, files, terms)
    corpus_secs = time.perf_counter() - t
    report = ["## zeren-scan", "",
              "%d documents, %.1f MB, %d labels (%d blocking). Scan of the whole corpus, process start-up included: %.2f s." % (
                  len(files), corpus_bytes / 1e6, len(labels), sum(1 for l in labels if l["expect"] == "block"), corpus_secs)]
    report.append(table("zeren-scan — blocking findings (medium/high) against blocking labels", score(labels, preds, "block")))
    report.append(table("zeren-scan — every finding (low included) against every label", score(labels, preds, "all")))
    speed = {}
    for name in ["clean", "dense"]:
        o = json.loads(sh(pin() + [binary, "throughput", os.path.join(a.out, name + ".txt"), a.seconds]))
        speed[name] = o
    report += ["", "### zeren-scan throughput (one core, median of repeated runs)", "",
               "| text | size | findings | MB/s (whole text) | MB/s (streamed in 1 MiB chunks) |", "|---|---:|---:|---:|---:|"]
    for name, o in speed.items():
        report.append("| %s | %.1f MB | %d | %.0f | %.0f |" % (name, o["bytes"] / 1e6, o["findings"], o["mb_per_s_text"], o["mb_per_s_stream"]))

    if not a.skip_presidio:
        import presidio_rules
        t = time.perf_counter()
        ppreds = {os.path.basename(f): presidio_rules.analyze(open(f, encoding="utf-8").read()) for f in files}
        psecs = time.perf_counter() - t
        report += ["", "## Microsoft Presidio (PatternRecognizer, same rules)", "",
                   "presidio-analyzer %s; the whole corpus took %.1f s." % (presidio_rules.version(), psecs)]
        report.append(table("Presidio — every finding against every label (Presidio has no confidence tiers or context rules here)", score(labels, ppreds, "all")))
        report += ["", "### Throughput, same machine, one core", "",
                   "| text | sample | Presidio MB/s | zeren-scan MB/s | ratio |", "|---|---:|---:|---:|---:|"]
        for name in ["clean", "dense"]:
            with open(os.path.join(a.out, name + ".txt"), encoding="utf-8") as fh:
                sample = fh.read(int(a.presidio_mb * 1_000_000 / 3))
            n = len(sample.encode("utf-8"))
            t = time.perf_counter()
            presidio_rules.analyze(sample)
            rate = n / 1e6 / (time.perf_counter() - t)
            ours = speed[name]["mb_per_s_text"]
            report.append("| %s | %.1f MB | %.2f | %.0f | %.0f× |" % (name, n / 1e6, rate, ours, ours / rate))
    print("\n".join(report))


if __name__ == "__main__":
    main()
