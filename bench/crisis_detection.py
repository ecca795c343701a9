"""Crisis text check: recall and false alarms on the corpus, and latency per message.

Reads tests/data/crisis_corpus/: crisis.jsonl and ordinary.jsonl (the corpus the patterns
were tuned on) and holdout.jsonl (written after the patterns and never tuned on, so its
figures say how the check does on wording it has not seen). Prints recall per category and
language, the false-alarm rate per kind of ordinary message and language, then p50/p95/p99 latency of
`detect` for corpus messages and for 4,000-character messages (ordinary student text,
with and without a crisis sentence in the middle). Pure Python, no database.
Usage: .venv/bin/python bench/crisis_detection.py [--misses] [--rounds 5]
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from app.services.crisis_detection import detect  # noqa: E402

CORPUS = os.path.join(ROOT, "tests", "data", "crisis_corpus")


def load(name):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rate_table(title, rows, key, flagged):
    counts = defaultdict(lambda: [0, 0])
    for row in rows:
        counts[key(row)][0] += flagged(row)
        counts[key(row)][1] += 1
    print(f"  {title}")
    for name in sorted(counts):
        hit, total = counts[name]
        print(f"    {name:<24} {hit:>4}/{total:<4} {100 * hit / total:6.1f}%")


def long_message(signal, rng, ordinary):
    """~4,000 characters of ordinary messages with `signal` (or nothing) in the middle."""
    parts, size = [], 0
    while size < 3900:
        text = rng.choice(ordinary)
        parts.append(text)
        size += len(text) + 2
    if signal:
        parts.insert(len(parts) // 2, signal)
    return ". ".join(parts)[:4000]


def latency(label, messages, rounds):
    """Per message, the best of `rounds` runs: on a shared machine a single run also measures
    whoever else had the CPU. Percentiles are then taken over the messages."""
    times = []
    for message in messages:
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            detect(message)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
    times.sort()
    q = statistics.quantiles(times, n=100)
    print(
        f"  {label:<44} n={len(times):<5} p50={q[49]:.3f} ms  p95={q[94]:.3f} ms  p99={q[98]:.3f} ms"
        f"  max={times[-1]:.3f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    crisis, ordinary = load("crisis.jsonl"), load("ordinary.jsonl")
    for row in crisis + ordinary:
        row["flagged"] = detect(row["text"]).is_crisis
    caught = sum(r["flagged"] for r in crisis)
    alarms = sum(r["flagged"] for r in ordinary)
    hard = [r for r in ordinary if r["hard"]]
    print(f"Recall       {caught}/{len(crisis)} = {100 * caught / len(crisis):.1f}%")
    print(
        f"False alarms {alarms}/{len(ordinary)} = {100 * alarms / len(ordinary):.1f}%"
        f"  (hard negatives: {sum(r['flagged'] for r in hard)}/{len(hard)})"
    )
    print("Recall")
    rate_table("by category", crisis, lambda r: r["category"], lambda r: r["flagged"])
    rate_table("by language", crisis, lambda r: r["lang"], lambda r: r["flagged"])
    print("False alarms")
    rate_table("by kind", ordinary, lambda r: r["kind"], lambda r: r["flagged"])
    rate_table("by language", ordinary, lambda r: r["lang"], lambda r: r["flagged"])
    holdout = load("holdout.jsonl")
    h_crisis = [r for r in holdout if r["category"]]
    h_ordinary = [r for r in holdout if not r["category"]]
    h_caught = sum(detect(r["text"]).is_crisis for r in h_crisis)
    h_alarms = sum(detect(r["text"]).is_crisis for r in h_ordinary)
    print(
        f"Held out (not tuned on): recall {h_caught}/{len(h_crisis)} = {100 * h_caught / len(h_crisis):.1f}%,"
        f" false alarms {h_alarms}/{len(h_ordinary)} = {100 * h_alarms / len(h_ordinary):.1f}%"
    )
    if args.misses:
        for r in crisis:
            if not r["flagged"]:
                print("MISS", r["lang"], r["category"], r["text"][:100])
        for r in ordinary:
            if r["flagged"]:
                print("ALARM", r["lang"], r["kind"], r["text"][:100], detect(r["text"]).matched)

    rng = random.Random(9)
    plain = [r["text"] for r in ordinary if r["lang"] == "en"]  # dense with hard negatives: a worst case
    everyday = [r["text"] for r in ordinary if r["lang"] == "en" and r["kind"] == "everyday"]
    signals = [r["text"] for r in crisis if len(r["text"]) < 120]
    print("Latency of detect()")
    latency("corpus messages", [r["text"] for r in crisis + ordinary], args.rounds)
    latency(
        "4,000 chars, everyday talk, no signal", [long_message(None, rng, everyday) for _ in range(200)], args.rounds
    )
    latency("4,000 chars, hard negatives, no signal", [long_message(None, rng, plain) for _ in range(200)], args.rounds)
    latency(
        "4,000 chars, hard negatives, crisis in the middle",
        [long_message(rng.choice(signals), rng, plain) for _ in range(200)],
        args.rounds,
    )
    latency("4,000 chars of emoji", ["😂🔥💀" * 1333 + str(i) for i in range(100)], args.rounds)
    print(f"  (best of {args.rounds} runs per message; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
