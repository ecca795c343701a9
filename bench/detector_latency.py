"""Latency of the crisis text check in-process: what `intents.record` runs on a message
before any database work (issue 25's goal: p99 <= 2 ms for a 4,000-character message,
rules and model together). Used by crisis_latency.py (`--detector`).

"verdict path" is verdict.check (normalise once, rules, model), classify (the C-SSRS
escalators when the model fired), the severity, and for an alert the model's part of its
trigger (its top n-grams), as intents.record and attach.py call them. Each message is run
`rounds` times; per message the best wall time and the best CPU time (time.thread_time,
what this thread used: on a shared machine the wall time also measures whoever else had
the CPU) are kept, then p50/p99 are taken over the messages.
"""

import json
import os
import random
import statistics
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "app", "services", "crisis", "detection", "data", "corpus")


def load(name):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def long_message(signal, rng, ordinary, size=4000):
    """~`size` characters of ordinary messages with `signal` (or nothing) in the middle
    (the same construction as bench/crisis_detection.py)."""
    parts, total = [], 0
    while total < size - 100:
        text = rng.choice(ordinary)
        parts.append(text)
        total += len(text) + 2
    if signal:
        parts.insert(len(parts) // 2, signal)
    return ". ".join(parts)[:size]


def cases(rng):
    """(label, messages): corpus messages, then 4,000-character ones of several kinds."""
    from app.services.crisis.detection import _RULES

    crisis_rows, ordinary_rows = load("crisis.jsonl"), load("ordinary.jsonl")
    plain = [r["text"] for r in ordinary_rows if r["lang"] == "en"]  # dense with hard negatives
    everyday = [r["text"] for r in ordinary_rows if r["lang"] == "en" and r["kind"] == "everyday"]
    signals = [r["text"] for r in crisis_rows if len(r["text"]) < 120]
    crisis = [r["text"] for r in crisis_rows]
    vocabulary = sorted(_RULES.vocabulary)
    return [
        ("corpus messages", [r["text"] for r in crisis_rows + ordinary_rows]),
        ("4,000 chars, everyday talk, no signal", [long_message(None, rng, everyday) for _ in range(200)]),
        ("4,000 chars, hard negatives, no signal", [long_message(None, rng, plain) for _ in range(200)]),
        (
            "4,000 chars, hard negatives, crisis in the middle",
            [long_message(rng.choice(signals), rng, plain) for _ in range(200)],
        ),
        ("4,000 chars, crisis messages only", [long_message(None, rng, crisis) for _ in range(100)]),
        # worst case for the patterns: one sentence (no break to stop a gap), every word one
        # the data files spell out, so anchors and their windows are everywhere
        (
            "4,000 chars, one sentence of pattern words",
            [" ".join(rng.choice(vocabulary) for _ in range(700))[:4000] for _ in range(100)],
        ),
        ("4,000 chars of emoji", ["😂🔥💀" * 1333 + str(i) for i in range(100)]),
    ]


def verdict_path(message, page_score=1.01):
    """What intents.record runs on the text (no database): check, classify, severity, and
    the model's trigger when the message alerts (attach.py writes it into the alert)."""
    from app.services.crisis.detection import verdict as crisis_check

    verdict = crisis_check.check(message, page_score)
    is_crisis, reason = crisis_check.classify("study_help", verdict, ("crisis",))
    if is_crisis:
        crisis_check.severity(None, 0.5, reason, verdict)
        verdict.model_trigger()
    return verdict.tier


def measure(fn, messages, rounds):
    """Per message, the best wall and the best CPU time of `rounds` runs (ms)."""
    wall, cpu = [], []
    for message in messages:
        best_wall = best_cpu = float("inf")
        for _ in range(rounds):
            w0, c0 = time.perf_counter(), time.thread_time()
            fn(message)
            c1, w1 = time.thread_time(), time.perf_counter()
            best_wall, best_cpu = min(best_wall, w1 - w0), min(best_cpu, c1 - c0)
        wall.append(best_wall * 1000)
        cpu.append(best_cpu * 1000)
    return wall, cpu


def line(label, wall, cpu):
    def q(samples):
        cut = statistics.quantiles(sorted(samples), n=100)
        return cut[49], cut[98]

    (w50, w99), (c50, c99) = q(wall), q(cpu)
    return (
        f"  {label:<50} n={len(wall):<4} wall p50={w50:6.3f} p99={w99:6.3f} ms   cpu p50={c50:6.3f} p99={c99:6.3f} ms"
    )


def uptime():
    with open("/proc/loadavg") as f:
        load1, load5, load15 = f.read().split()[:3]
    return f"load average {load1} {load5} {load15} on {os.cpu_count()} CPUs"


def run(rounds=5, stages=False, seed=9):
    from app.services.crisis.detection import detect_normalised, normalise
    from app.services.crisis.detection import model as crisis_model
    from app.services.crisis.detection.cssrs import markers

    verdict_path("warm up: load the model")
    print(f"Crisis text check, in-process (best of {rounds} runs per message); before: {uptime()}")
    for label, messages in cases(random.Random(seed)):
        print(line(label + ": verdict path", *measure(verdict_path, messages, rounds)))
        if stages:
            texts = [normalise(m) for m in messages]
            for name, fn, inputs in (
                ("normalise", normalise, messages),
                ("rules", detect_normalised, texts),
                ("model", crisis_model.score, texts),
                ("C-SSRS markers", markers, texts),
            ):
                print(line(f"  {name}", *measure(fn, inputs, rounds)))
    print(f"  after: {uptime()}")
