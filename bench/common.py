"""Shared set-up for the benchmarks: a fresh database, a real web process and worker.

Run from the repository root with the project's venv, e.g. `.venv/bin/python bench/crisis_latency.py`.
Uses the local PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL to change).
"""

import os
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/pulse_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
CHATBOT_KEY = "bench-chatbot-key"

ENV = {
    "PULSE_ENV": "development",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CHATBOT_API_KEYS": CHATBOT_KEY,
    "CHATBOT_RATE_LIMIT": "1000000 per minute",
    "LOGIN_RATE_LIMIT": "1000000 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "1000000 per minute",
    "RATE_LIMIT_ANONYMOUS": "100000000 per hour",
    "RATE_LIMIT_AUTHENTICATED": "100000000 per hour",
    "SOCKET_EVENT_LIMIT": "1000000",
    "SOCKETIO_CHANNEL": "pulse-bench",
    "PYTHONWARNINGS": "ignore",
}
os.environ.update(ENV)


def prepare_database():
    """Drop and re-create the benchmark database, then build it with the migrations."""
    import psycopg2
    import redis

    name = DATABASE_URL.rsplit("/", 1)[1]
    conn = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app:create_app", "db", "upgrade"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ},
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, port=None, async_mode="eventlet"):
    env = {**os.environ, "SOCKETIO_ASYNC_MODE": async_mode}
    if port:
        env.update(PORT=str(port), HOST="127.0.0.1")
    # BENCH_LOGS=<dir>: keep each process's output (<script>.log) to see why a run failed
    logs = os.environ.get("BENCH_LOGS")
    out = open(os.path.join(logs, f"{args[0]}.log"), "ab") if logs else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if port:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return proc
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")
    return proc


def percentiles(samples_ms):
    samples = sorted(samples_ms)
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"n": len(samples), "p50": q[49], "p95": q[94], "p99": q[98], "max": samples[-1]}


def report(title, samples_ms):
    p = percentiles(samples_ms)
    print(
        f"{title:<44} n={p['n']:<5} p50={p['p50']:7.2f} ms  p95={p['p95']:7.2f} ms  "
        f"p99={p['p99']:7.2f} ms  max={p['max']:7.2f} ms"
    )


def cpu_ms(proc):
    """CPU time (user + system) the process has used so far, in ms: a web process's CPU per
    request is the difference over a run of requests divided by their number. Unlike the
    client's wall-clock times it does not grow when other jobs share the cores."""
    import psutil

    times = psutil.Process(proc.pid).cpu_times()
    return (times.user + times.system) * 1000


def load():
    """The 1-minute load average, for the figures' context (2 cores on this machine)."""
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
