"""The worker process: an RQ worker (with its scheduler) inside an app context.

Also runs the clock (app/jobs/clock.py) in a child process for the periodic jobs in
app/jobs/schedule.py: every worker runs one, and a Redis claim per interval makes each job
run once per interval however many workers there are. Relays any outbox events left
unsent before it starts work.
"""

import argparse
import logging
import multiprocessing
import sys

from rq import Worker

from app import create_app
from app.extensions import db, get_redis
from app.jobs.queues import worker_queue_names
from app.logs import init_sentry
from config import ConfigError

log = logging.getLogger("pulse.worker")


class PulseWorker(Worker):
    """Forks a work horse per job; the child must not reuse the parent's DB connections."""

    def main_work_horse(self, job, queue):
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def run_clock():
    from app.jobs import clock

    app = create_app()
    with app.app_context():
        clock.run_forever(app.config["CLOCK_TICK_SECONDS"])


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
        from app.services import outbox

        log.info("relayed %s unsent outbox events at start", outbox.relay())
        db.session.remove()
        db.engine.dispose()
        cron = None
        if not args.burst and not args.no_cron:
            cron = multiprocessing.get_context("spawn").Process(target=run_clock, daemon=True)
            cron.start()
        queues = worker_queue_names()
        log.info("worker listening on %s", ", ".join(queues))
        # Maintenance retries the jobs of a worker that died (their retry) and takes over a dead
        # worker's scheduler: RQ's default, every 10 minutes, is too slow for crisis alerts.
        worker = PulseWorker(
            queues, connection=get_redis(), maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"]
        )
        try:
            worker.work(burst=args.burst, with_scheduler=not args.no_scheduler)
        finally:
            if cron is not None:
                cron.terminate()


if __name__ == "__main__":
    main()
