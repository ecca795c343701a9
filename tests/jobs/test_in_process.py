"""The worker runs the short live-path jobs (JobSpec.in_process) itself and forks for the rest;
an in-process job that fails is failed like any other and the worker goes on."""

import json
import subprocess
import sys

from rq.job import Job

from app.extensions import get_redis
from app.services.shared.queues import JOBS, enqueue, runs_in_process
from tests.conftest import ROOT, child_env

IN_PROCESS = "app.jobs.performance.send_trailing_event"
FORKED = "app.jobs.maintenance.prune"


def done_lines(output):
    lines = []
    for raw in output.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict) and line.get("outcome") in ("done", "failed"):
            lines.append(line)
    return lines


def test_the_table_marks_only_short_live_jobs_in_process():
    assert runs_in_process(IN_PROCESS) and not runs_in_process(FORKED)
    assert not runs_in_process("app.jobs.nope.missing")
    assert all(spec.timeout <= 300 for spec in JOBS.values() if spec.in_process)


def test_in_process_jobs_run_in_the_worker_and_the_others_in_a_work_horse(app):
    with app.app_context():
        jobs = [
            enqueue(IN_PROCESS, 987654),  # a section that does not exist: nothing to send
            enqueue("app.jobs.performance.recompute_section", "not-an-id"),  # fails in the worker
            enqueue(FORKED),
            enqueue(IN_PROCESS, 987655),  # after the failure: the worker went on
        ]
    worker = subprocess.Popen(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=child_env(LOG_FORMAT="json", LOG_LEVEL="DEBUG"),  # a job with nothing to do logs at DEBUG
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output[-3000:]
    lines = done_lines(output)
    by_job = {}
    for line in lines:
        by_job.setdefault(line["job"], []).append(line)
    assert [line["pid"] for line in by_job[IN_PROCESS]] == [worker.pid, worker.pid]
    assert [line["outcome"] for line in by_job[IN_PROCESS]] == ["done", "done"]
    assert by_job["app.jobs.performance.recompute_section"][0]["outcome"] == "failed"
    assert by_job["app.jobs.performance.recompute_section"][0]["pid"] == worker.pid
    (forked,) = by_job[FORKED]
    assert forked["outcome"] == "done" and forked["pid"] != worker.pid
    with app.app_context():
        statuses = [Job.fetch(job.id, connection=get_redis()).get_status() for job in jobs]
    assert [str(getattr(s, "value", s)) for s in statuses] == ["finished", "failed", "finished", "finished"]


def test_the_live_lane_drains_the_high_queue_and_dies_with_its_worker(app):
    """worker.py runs a second loop on `high` only (WORKER_LIVE_LANE); killing the worker,
    even with SIGKILL, ends its own children (clock, lane) too."""
    import os
    import signal
    import time

    import redis
    from rq.worker_registration import WORKERS_BY_QUEUE_KEY

    from tests.conftest import REDIS_URL

    namespace = app.config["PULSE_NAMESPACE"]
    conn = redis.Redis.from_url(REDIS_URL)
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while conn.scard(WORKERS_BY_QUEUE_KEY % f"{namespace}:high") < 2:
            assert worker.poll() is None and time.monotonic() < deadline, "the lane did not register"
            time.sleep(0.05)
        # the lane listens on `high` only; the main loop on all three
        assert conn.scard(WORKERS_BY_QUEUE_KEY % f"{namespace}:default") == 1
        children, others = _children(worker.pid)
        assert len(children) == 2  # the clock and the lane
        with app.app_context():
            job = enqueue(IN_PROCESS, 987656)
        while Job.fetch(job.id, connection=conn).get_status() != "finished":
            assert time.monotonic() < deadline, "the high job did not run"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children):
        assert time.monotonic() < deadline, "a child of the killed worker is still running"
        time.sleep(0.1)
    for pid in others:  # RQ's scheduler: RQ's to end, and it does not on SIGKILL (see the docstring)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # the workers' registrations lapse with their heartbeat; clean them for the next tests
    for name in ("high", "default", "low"):
        conn.delete(WORKERS_BY_QUEUE_KEY % f"{namespace}:{name}")
    assert not os.path.exists(f"/proc/{worker.pid}/status") or not _alive(worker.pid)


def _children(pid):
    """(the worker's own children: clock and lane, spawned by multiprocessing; the others:
    RQ's forked scheduler, which RQ starts and which a SIGKILLed worker does leave behind)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        pids = [int(p) for p in f.read().split()]
    spawned, others = [], []
    for child in pids:
        with open(f"/proc/{child}/cmdline", "rb") as f:
            (spawned if b"spawn_main" in f.read() else others).append(child)
    return spawned, others


def _alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return "State:\tZ" not in f.read()
    except FileNotFoundError:
        return False
