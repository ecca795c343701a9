"""Pauses after a connect storm: one web process (as `make run` starts it) takes a storm of
3,000 sockets, and crisis posts start the moment the storm is over.

For each async mode: a fresh database (BENCH_DATABASE_URL), 1,500 students over 20 mentors
(bench/scale/seed.py), one web process and one worker. The client (bench/node/storm.mjs,
socket.io-client 4) connects the mentors, warms the crisis path with a few posts, connects
the rest of the sockets at once, then posts crises one after another and times each from
its POST to its mentor's `notification` event. The web process runs with GC_PROBE_MS=50
(app/sockets/gc_probe.py): the longest garbage collection and the count of 50 ms or more
come from its log. So do the posts' own durations inside the server (the request log).

    npm ci --prefix bench/node     # once
    .venv/bin/python bench/storm_pause.py [--n 3000] [--posts 200] [--modes gevent eventlet]

Redis: BENCH_REDIS_URL (default db 10) under a namespace of this run's own (PULSE_NAMESPACE),
whose keys are deleted at the end; nothing else is cleared. Extra settings for the web
process can be given as NAME=VALUE arguments (e.g. GC_FREEZE_EVERY=0 to see the default
collector). Loopback only; every phase is bounded in time.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import psycopg2
from common import ROOT, free_port, percentiles  # sets the environment first

CHATBOT_KEY = "storm-chatbot-key"
PROBE = re.compile(
    r"gc probe: (\d+) collections \(gen0 (\d+), gen1 (\d+), gen2 (\d+)\), "
    r"longest ([\d.]+) ms \(gen(\d)\), longest cpu ([\d.]+) ms \(gen(\d)\)"
)
PAUSE = re.compile(r"gc pause ([\d.]+) ms \(gen(\d), cpu ([\d.]+) ms, \d+ objects freed, ended at ([\d.]+)\)")
LOGGED_AT = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")
SLOW_MS = 10  # the probe logs each pause of this many ms or more
CRISIS_LOG = re.compile(r"route=[^ \]]*chatbot[^ \]]*intents.* duration_ms=([\d.]+)")


def fresh_database(url):
    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    flask = [sys.executable, "-m", "flask", "--app", "app:create_app", "db", "upgrade"]
    subprocess.run(flask, cwd=ROOT, check=True, capture_output=True, env=os.environ)


def wait_for(url, proc, log, seconds=60):
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the web process exited; its log: {log}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"nothing answers on {url}; log: {log}")


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_mode(mode, args, env, run_dir):
    fresh_database(env["DATABASE_URL"])
    tokens = os.path.join(run_dir, f"tokens-{mode}.json")
    subprocess.run(
        [sys.executable, "bench/scale/seed.py", tokens, str(args.students), str(args.mentors)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=env,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web_log = os.path.join(run_dir, f"web-{mode}.log")
    web_env = {**env, "SOCKETIO_ASYNC_MODE": mode, "PORT": str(port), "HOST": "127.0.0.1", "GC_PROBE_MS": str(SLOW_MS)}
    with open(web_log, "wb") as out, open(os.path.join(run_dir, f"worker-{mode}.log"), "wb") as wout:
        web = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=web_env, stdout=out, stderr=out)
        worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=wout, stderr=wout)
        try:
            wait_for(url, web, web_log)
            before = load()
            client = subprocess.run(
                ["node", "bench/node/storm.mjs", "--url", url, "--tokens", tokens, "--key", CHATBOT_KEY]
                + ["--n", str(args.n), "--posts", str(args.posts), "--parallel", str(args.parallel)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if client.returncode:
                sys.exit(f"client failed: {client.stderr[-2000:]}")
            result = json.loads(client.stdout.strip().splitlines()[-1])
            # the probe reports each second a collection ran; the client has closed its
            # sockets, so a reclaim comes within GC_FREEZE_SECONDS (2 s) and may take seconds
            time.sleep(12)
        finally:
            web.terminate()
            worker.terminate()
            web.wait(timeout=20)
            worker.wait(timeout=20)
    with open(web_log, errors="replace") as f:
        text = f.read()
    return result, text, before, load()


def logged_at(line):
    """A log line's time (the server's local time, as logging writes it) in epoch seconds."""
    found = LOGGED_AT.match(line)
    if not found:
        return None
    return time.mktime(time.strptime(found.group(1), "%Y-%m-%d %H:%M:%S")) + int(found.group(2)) / 1000


def pauses_line(title, pauses):
    """pauses: (wall ms, generation, cpu ms) of 10 ms or more."""
    if not pauses:
        return f"  {title}: longest gc pause under {SLOW_MS} ms"
    wall = max(pauses)
    cpu = max(pauses, key=lambda p: p[2])
    return (
        f"  {title}: longest gc pause {wall[0]:.1f} ms (gen{wall[1]}, cpu {wall[2]:.1f}); "
        f"longest in cpu time {cpu[2]:.1f} ms (gen{cpu[1]}); of 50 ms or more: "
        f"{sum(p[0] >= 50 for p in pauses)} by the clock, {sum(p[2] >= 50 for p in pauses)} in cpu time"
    )


def report(mode, result, text, before, after):
    t = {k: v / 1000 for k, v in result["times"].items()}
    print(f"\n{mode}: {result['sockets']} sockets, {len(result['failures'])} failed connects")
    for kind, n in collections.Counter(result["failures"]).most_common(3):
        print(f"  failed: {kind} x {n}")
    posts, seconds = len(result["latencies"]), result["postSeconds"]
    print(f"  storm {result['stormSeconds']:.1f} s, then {posts} crisis posts over {seconds:.1f} s")
    print(f"  load average before {before}, after {after}")
    probes = PROBE.findall(text)
    if probes:
        total, g0, g1, g2, longest, gen, longest_cpu, gen_cpu = probes[-1]
        print(
            f"  whole run: {total} collections (gen0 {g0}, gen1 {g1}, gen2 {g2}), longest {float(longest):.1f} ms "
            f"(gen{gen}), longest in cpu time {float(longest_cpu):.1f} ms (gen{gen_cpu})"
        )
    else:
        print("  gc: no probe report in the log")
    pauses = [(float(ms), int(g), float(cpu), float(at)) for ms, g, cpu, at in PAUSE.findall(text)]
    storm = [p[:3] for p in pauses if t["stormFrom"] <= p[3] <= t["stormTo"]]
    after_storm = [p[:3] for p in pauses if t["stormTo"] < p[3] <= t["postsTo"]]
    print(pauses_line("during the storm", storm))
    print(pauses_line("during the posts", after_storm))
    if len(result["latencies"]) > 1:
        p = percentiles(result["latencies"])
        print(
            f"  crisis POST -> mentor event: p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms, p99 {p['p99']:.1f} ms, "
            f"max {p['max']:.1f} ms, lost {result['lost']}"
        )
    inside = []
    for line in text.splitlines():
        found = CRISIS_LOG.search(line)
        at = logged_at(line) if found else None
        if at is not None and t["stormTo"] < at <= t["postsTo"] + 1:
            inside.append(float(found.group(1)))
    if len(inside) > 1:
        p = percentiles(inside)
        print(
            f"  the same posts inside the server (request log): "
            f"p50 {p['p50']:.1f} ms, p99 {p['p99']:.1f} ms, max {p['max']:.1f} ms"
        )
    for line in re.findall(r"gc reclaim .*", text):
        print("  after the client closed its sockets: " + line)


def forget_namespace(env):
    subprocess.run(
        [sys.executable, "bench/scale/forget_namespace.py"], cwd=ROOT, env=env, capture_output=True, check=False
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="sockets in the storm, mentors' included")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=1000, help="connects in flight at once")
    parser.add_argument("--students", type=int, default=1500)
    parser.add_argument("--mentors", type=int, default=20)
    parser.add_argument("--modes", nargs="+", default=["gevent", "eventlet"], choices=["gevent", "eventlet"])
    parser.add_argument("settings", nargs="*", help="NAME=VALUE for the web process")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/pulse_bench"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
        "PULSE_NAMESPACE": f"storm-{os.getpid()}-{int(time.time())}",
        "SOCKETIO_CHANNEL": "",
        "CHATBOT_API_KEYS": CHATBOT_KEY,
        "LOG_LEVEL": "INFO",
        **dict(s.split("=", 1) for s in args.settings),
    }
    run_dir = tempfile.mkdtemp(prefix="pulse-storm.")
    print(f"{args.n} sockets per storm, {args.posts} crisis posts after it; logs in {run_dir}")
    if args.settings:
        print("web settings: " + " ".join(args.settings))
    try:
        for mode in args.modes:
            report(mode, *run_mode(mode, args, env, run_dir))
    finally:
        forget_namespace(env)


if __name__ == "__main__":
    main()
