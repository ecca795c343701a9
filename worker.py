"""The worker process: an RQ worker (with its scheduler) inside an app context.

Also runs, in child processes, the clock (app/jobs/clock.py) for the periodic jobs in
app/jobs/schedule.py (every worker runs one; a Redis claim per interval makes each job run
once per interval however many workers there are) and the live lane, a second worker loop
on the `high` queue only (WORKER_LIVE_LANE). Relays any outbox events left unsent before it
starts work.
"""

import argparse
import ctypes
import gc
import logging
import multiprocessing
import signal
import sys

from rq.defaults import DEFAULT_WORKER_TTL
from rq.worker import HerokuWorker, WorkerStatus

from app import create_app
from app.extensions import db, get_redis
from app.logs import init_sentry
from app.redis_tls import refusal
from app.services.shared.queues import HIGH, queue_name, runs_in_process, worker_queue_names
from config import ConfigError

log = logging.getLogger("pulse.worker")
PR_SET_PDEATHSIG = 1  # prctl(2)


class PulseWorker(HerokuWorker):
    """Forks a work horse per job, except the short live-path jobs marked `in_process` in
    app/jobs/queues.py, which it runs itself as RQ's SimpleWorker does (a fork and a new
    database connection cost more than such a job). The child must not reuse the parent's
    DB connections.

    Stopping (a deploy, the daily restart): the platform sends SIGTERM to every process of
    the dyno, then SIGKILL 30 s later. RQ's HerokuWorker keeps the work horse alive through
    the SIGTERM and lets the job finish (warm shutdown); a job still running after
    `imminent_shutdown_delay` (WORKER_SHUTDOWN_GRACE) is ended with ShutDownImminentException
    and goes back on its queue if it retries. A second SIGTERM (the dyno-wide one reaching
    a process already told by its parent) must not turn that into a cold shutdown."""

    def request_force_stop(self, signum, frame):
        if signum == signal.SIGTERM:
            self.log.info("worker %s: SIGTERM again, still finishing the current job", self.name)
            return
        return super().request_force_stop(signum, frame)

    def execute_job(self, job, queue):
        if not runs_in_process(job.func_name):
            return super().execute_job(job, queue)
        self.perform_job(job, queue, self.prepare_execution(job))
        self.set_state(WorkerStatus.IDLE)

    def get_heartbeat_ttl(self, job, working_time=0.0):
        # Nobody beats the heart while an in-process job runs: cover its whole timeout.
        if runs_in_process(job.func_name):
            return int(job.timeout if job.timeout and job.timeout > 0 else DEFAULT_WORKER_TTL) + 60
        return super().get_heartbeat_ttl(job, working_time)

    def main_work_horse(self, job, queue):
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def die_with_parent():
    """A child (clock, live lane) ends when the worker does, even on SIGKILL (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):  # not Linux: the daemon flag still ends it on a normal exit
        pass


def run_clock():
    from app.jobs import clock

    die_with_parent()
    app = create_app()
    with app.app_context():
        clock.run_forever(app.config["CLOCK_TICK_SECONDS"])


def listener(app, queues):
    """A PulseWorker on `queues`, once everything loaded so far is out of the garbage
    collector's full passes (they stalled in-process jobs by 50-150 ms)."""
    gc.freeze()
    log.info("worker listening on %s", ", ".join(queues))
    # Maintenance retries the jobs of a worker that died (their retry) and takes over a dead
    # worker's scheduler: RQ's default, every 10 minutes, is too slow for crisis alerts.
    worker = PulseWorker(queues, connection=get_redis(), maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"])
    worker.imminent_shutdown_delay = app.config["WORKER_SHUTDOWN_GRACE"]
    return worker


def run_live_lane():
    """The live lane: a worker on the `high` queue only, without its own scheduler."""
    die_with_parent()
    app = create_app()
    with app.app_context():
        listener(app, [queue_name(HIGH)]).work(with_scheduler=False)


def start_child(target):
    child = multiprocessing.get_context("spawn").Process(target=target, daemon=True)
    child.start()
    return child


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--no-cron", action="store_true", help="do not run the clock of periodic jobs")
    parser.add_argument(
        "--no-scheduler", action="store_true", help="do not run delayed jobs (another worker's scheduler does)"
    )
    args = parser.parse_args()

    try:
        app = create_app()
    except ConfigError as exc:  # a clear sentence and exit code 1, not a traceback
        sys.exit(f"pulse: {exc}")
    init_sentry(app.config, worker=True)
    with app.app_context():
        refused = refusal(get_redis())
        if refused:  # one clear sentence, not the traceback of the first job fetch
            sys.exit(f"pulse: {refused}")
        from app.services.realtime import outbox

        log.info("relayed %s unsent outbox events at start", outbox.relay())
        db.session.remove()
        db.engine.dispose()
        children = []
        if not args.burst and not args.no_cron:
            children.append(start_child(run_clock))
        if not args.burst and app.config["WORKER_LIVE_LANE"]:
            children.append(start_child(run_live_lane))
        worker = listener(app, worker_queue_names())
        try:
            worker.work(burst=args.burst, with_scheduler=not args.no_scheduler)
        finally:
            stop_children(children, app.config["WORKER_SHUTDOWN_GRACE"])


def stop_children(children, grace):
    """The clock and the live lane stop with the worker: SIGTERM (the live lane finishes its job
    first; a second SIGTERM from the platform changes nothing), then SIGKILL past `grace`."""
    for child in children:
        if child.is_alive():
            child.terminate()
    for child in children:
        child.join(grace)
        if child.is_alive():
            child.kill()


if __name__ == "__main__":
    main()
