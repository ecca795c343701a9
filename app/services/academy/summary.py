"""The course summary an educator watches live, coalesced like the mentor's metrics:updated.

Every change to a course's figures calls changed(course) inside its transaction. After the
commit the owner's room hears `progress:updated` with {"course_id", "summary"} at most once
every COURSE_SUMMARY_INTERVAL seconds: the first change of a burst at once, the rest as
one trailing event (an RQ job) with the figures as they are by then.
"""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Course, Enrolment, utcnow
from app.models.academy import ACTIVE
from app.services.realtime import coalesce, events
from app.services.realtime.emit import emit
from app.services.realtime.rooms import educator_room
from app.services.shared import cache
from app.services.shared.transaction import after_commit

log = logging.getLogger(__name__)

_PENDING = "pulse_course_summary_changed"
TRAILING_JOB = "app.jobs.academy.send_course_summary"


def compute(course_id, now=None):
    """Active enrolments, those active in the last 7 days, their average percent, completions."""
    now = now or utcnow()
    active = select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.status == ACTIVE).subquery()
    enrolled, average, this_week = db.session.execute(
        select(
            func.count(active.c.id),
            func.avg(active.c.best_percent),
            func.count(active.c.id).filter(active.c.last_activity_at >= now - timedelta(days=7)),
        )
    ).one()
    completions = db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.course_id == course_id, Enrolment.completed_at.is_not(None))
    )
    return {
        "course_id": course_id,
        "enrolled": enrolled,
        "active_this_week": this_week,
        "average_progress": round(float(average or 0), 1),
        "completions": completions,
    }


def changed(course_id):
    """Call inside a write's transaction: after commit, the owner hears the new summary."""
    pending = db.session.info.setdefault(_PENDING, set())
    if not pending:
        after_commit(_after_commit)
    pending.add(course_id)


def _after_commit():
    for course_id in sorted(db.session.info.pop(_PENDING, set())):
        notify_changed(course_id)


def _interval():
    return current_app.config["COURSE_SUMMARY_INTERVAL"]


def notify_changed(course_id):
    """Send now if nothing went out in the last interval, else schedule one trailing event."""
    coalesce.notify(
        cache.course_summary_throttle_key(course_id),
        cache.course_summary_trailing_key(course_id),
        _interval(),
        lambda: send(course_id),
        TRAILING_JOB,
        course_id,
    )


def send(course_id):
    """Emit the summary to the owner. Derived data, so no outbox: a lost event only delays a refresh."""
    course = db.session.get(Course, course_id)
    if course is None:
        return None
    figures = compute(course_id)
    emit(events.PROGRESS_UPDATED, {"course_id": course_id, "summary": figures}, educator_room(course.owner_id))
    return figures


def send_trailing(course_id):
    """The trailing event of a burst, then a fresh interval."""
    coalesce.start_trailing(
        cache.course_summary_throttle_key(course_id), cache.course_summary_trailing_key(course_id), _interval()
    )
    return send(course_id)
