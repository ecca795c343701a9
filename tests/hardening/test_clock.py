"""Periodic jobs run once per interval, however many workers run a clock."""

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime

import redis

from app.jobs import clock
from app.jobs.schedule import PERIODIC
from tests.conftest import REDIS_URL, ROOT, child_env, stop


def test_a_slot_is_claimed_once_whatever_the_number_of_clocks(app):
    now = datetime(2030, 1, 1, 12, 0, 1, tzinfo=UTC)
    with app.app_context():
        first = clock.run_due(now)
        assert len(first) == len(PERIODIC)
        assert clock.run_due(now) == []  # a second clock, same moment
        later = clock.run_due(datetime(2030, 1, 1, 12, 0, 31, tzinfo=UTC))
        # 30 s on: only the 30-second jobs are due again.
        expected = [clock.job_id_for(p, clock.slot_of(p, now) + 1) for p in PERIODIC if p.interval == 30]
        assert sorted(later) == sorted(expected)


def done_lines(path, namespace):
    """The periodic jobs' "done" lines (their ids carry the namespace: `<ns>-periodic-...`)."""
    lines = []
    with open(path) as f:
        for raw in f:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if line.get("outcome") == "done" and line.get("job_id", "").startswith(f"{namespace}-periodic-"):
                lines.append({**line, "job_id": line["job_id"][len(namespace) + 1 :]})
    return lines


def test_each_periodic_job_runs_once_per_interval_with_two_workers(app):
    conn = redis.Redis.from_url(REDIS_URL)
    namespace = app.config["PULSE_NAMESPACE"]
    logs = [tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) for _ in range(2)]
    env = child_env(CLOCK_TICK_SECONDS="0.1", LOG_FORMAT="json", LOG_LEVEL="DEBUG")  # idle jobs log at DEBUG
    workers = [
        subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            ticks = [int(conn.get(k)) for k in conn.keys(f"{namespace}:clock:heartbeat:*")]
            ran = {line["job"] for log in logs for line in done_lines(log.name, namespace)}
            # Both clocks have ticked many times, each trying every slot, and every job ran.
            if len(ticks) == 2 and min(ticks) >= 10 and ran >= {p.job for p in PERIODIC}:
                break
            assert time.monotonic() < deadline, (ticks, ran)
            assert all(w.poll() is None for w in workers), "a worker exited"
            time.sleep(0.1)
    finally:
        for w in workers:
            stop(w)
    lines = [line for log in logs for line in done_lines(log.name, namespace)]
    runs = Counter(line["job_id"] for line in lines)
    assert runs and set(runs.values()) == {1}, runs  # no slot ran twice
    per_job = Counter(line["job"] for line in lines)
    for periodic in PERIODIC:
        prefix = clock.job_id_for(periodic, 0)[:-1]
        slots = {int(job_id.rsplit("-", 1)[1]) for job_id in runs if job_id.startswith(prefix)}
        assert per_job[periodic.job] == len(slots) >= 1
        assert max(slots) - min(slots) == len(slots) - 1  # one run per consecutive interval
    # Worker lines carry the job id, queue and duration.
    queues = {f"{namespace}:{name}" for name in ("high", "default", "low")}
    assert all(line["queue"] in queues and line["duration_ms"] >= 0 for line in lines)
