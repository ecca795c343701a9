"""What every job shares: a clean session afterwards and a summary line in the log."""

import functools
import logging
import time

from app.extensions import db

log = logging.getLogger("pulse.jobs")


def job(fn):
    """Mark a function as an RQ job: log a summary and always release the session."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.monotonic()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", fn.__name__)
            raise
        finally:
            db.session.remove()
        log.info("job %s done in %.0f ms: %s", fn.__name__, (time.monotonic() - started) * 1000, result)
        return result

    return wrapper
