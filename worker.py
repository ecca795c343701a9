"""The worker process: an RQ worker (with its scheduler) inside an app context.

Also starts RQ's cron scheduler in a child process for the periodic jobs in
app/jobs/schedule.py, and relays any outbox events left unsent before it starts work.
Every queue, and so every RQ registry and scheduler lock, carries the deployment
namespace (app/namespace.py): this worker runs its own deployment's jobs only.
"""

import argparse
import logging
import multiprocessing
import os
import uuid

from rq import Worker

from app import create_app
from app.extensions import db, get_redis
from app.jobs.queues import JOBS, queue_name, worker_queue_names
from app.namespace import namespaced

log = logging.getLogger("pulse.worker")


class PulseWorker(Worker):
    """Forks a work horse per job; the child must not reuse the parent's DB connections."""

    def main_work_horse(self, job, queue):
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def run_cron():
    from rq.cron import CronScheduler
    from rq.utils import import_attribute

    from app.jobs.schedule import PERIODIC

    app = create_app()
    with app.app_context():
        cron = CronScheduler(connection=get_redis(), name=namespaced(f"cron:{os.getpid()}:{uuid.uuid4().hex[:6]}"))
        for periodic in PERIODIC:
            spec = JOBS[periodic.job]
            cron.register(
                import_attribute(periodic.job),
                queue_name=queue_name(spec.queue),
                interval=periodic.interval,
                job_timeout=spec.timeout,
                name=namespaced(periodic.job),  # RQ's history key rq:cron_job:<name>:jobs
            )
        cron.start()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--no-cron", action="store_true", help="do not run periodic jobs")
    parser.add_argument(
        "--no-scheduler", action="store_true", help="do not run delayed jobs (another worker's scheduler does)"
    )
    args = parser.parse_args()

    app = create_app()
    with app.app_context():
        from app.services import outbox

        log.info("relayed %s unsent outbox events at start", outbox.relay())
        db.session.remove()
        db.engine.dispose()
        cron = None
        if not args.burst and not args.no_cron:
            cron = multiprocessing.get_context("spawn").Process(target=run_cron, daemon=True)
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
