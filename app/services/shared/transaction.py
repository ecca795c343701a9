"""The one way a service finishes a write: commit, then the side effects, in that order.

Side effects (publishing outbox events, invalidating caches, enqueueing jobs) are queued
with after_commit() while the transaction is open and run only once it has committed, so
nothing is announced that was not stored. A failed side effect is logged, not raised: the
write has happened, and the outbox relay re-sends what could not be published. (Under
tests, a failure that is not a Redis outage is raised, so bugs cannot hide here.)
"""

import logging

import redis
from flask import current_app

from app.extensions import db

log = logging.getLogger(__name__)

_KEY = "pulse_after_commit"
_BEFORE = "pulse_before_commit"


def after_commit(fn):
    """Run `fn()` after the current transaction commits (dropped on rollback)."""
    db.session.info.setdefault(_KEY, []).append(fn)


def before_commit(fn):
    """Run `fn()` just before the next commit, inside the transaction (e.g. to add a row that
    must be stored together with the work, such as an idempotency record)."""
    db.session.info.setdefault(_BEFORE, []).append(fn)


def drop_before_commit():
    """Forget the before-commit steps of a unit of work that ended without committing."""
    db.session.info.pop(_BEFORE, None)


def commit():
    """Commit the session, then run the queued side effects."""
    try:
        for fn in db.session.info.pop(_BEFORE, []):
            fn()
        db.session.commit()
    except Exception:
        rollback()
        raise
    for fn in db.session.info.pop(_KEY, []):
        try:
            fn()
        except redis.RedisError as exc:
            log.warning("after-commit step %r skipped, Redis unavailable: %s", getattr(fn, "__name__", fn), exc)
        except Exception:
            log.exception("after-commit step %r failed", getattr(fn, "__name__", fn))
            if current_app.testing:  # a bug, not an outage: make tests fail loudly
                raise


def rollback():
    """Roll back and forget every side effect the transaction had queued."""
    db.session.rollback()
    for key in [k for k in db.session.info if k.startswith("pulse_")]:
        del db.session.info[key]
