"""What every job shares: a clean session afterwards and a summary line in the log, with
the RQ job id, queue and duration as fields (JSON in production)."""

import functools
import logging
import os
import time

from rq import get_current_job

from app.extensions import db
from app.services.shared import ops_metrics

log = logging.getLogger("pulse.jobs")


def _job_fields(fn, started, outcome):
    current = get_current_job()
    return {
        "job": f"{fn.__module__}.{fn.__name__}",
        "job_id": current.id if current is not None else None,
        "queue": current.origin if current is not None else None,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
        "outcome": outcome,
        "pid": os.getpid(),  # the worker's own for in-process jobs, a work horse's otherwise
    }


def _did_something(result):
    if isinstance(result, dict):
        return any(_did_something(v) for v in result.values())
    if isinstance(result, (list, tuple, set)):
        return any(_did_something(v) for v in result)
    return bool(result)


def job(fn):
    """Mark a function as an RQ job: log a summary and always release the session."""

    name = f"{fn.__module__}.{fn.__name__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.monotonic()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", fn.__name__, extra=_job_fields(fn, started, "failed"))
            ops_metrics.record_job(name, time.monotonic() - started, failed=True)
            raise
        finally:
            db.session.remove()
        ops_metrics.record_job(name, time.monotonic() - started, failed=False)
        # A line when the job did something; a periodic job that found nothing to do (most
        # of an idle worker's) only at DEBUG.
        level = logging.INFO if _did_something(result) else logging.DEBUG
        log.log(level, "job %s done: %s", fn.__name__, result, extra=_job_fields(fn, started, "done"))
        return result

    return wrapper
