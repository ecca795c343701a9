"""Concerns: the review tier under the page (docs/crisis-alerts.md, "Two tiers").

A message with risk signals but no clear crisis is not paged: it becomes a concern on the
mentor's review list, with an ordinary `crisis_concern` notification (live, in their feed,
never pinned, no escalation ladder). The mentor dismisses it (nothing wrong) or raises it
to a crisis alert in one step, which then pages like any other. Either way the outcome
feeds the training export (feedback.py). A concern nobody reviews within
CONCERN_REVIEW_WINDOW is escalated to the admins once.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CrisisConcern, Role, User, utcnow
from app.models.concerns import DISMISSED, OPEN, RAISED
from app.services.crisis import alerts
from app.services.crisis.detection import CATEGORIES, REVIEW, SEVERITIES, Detection
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.realtime import events, outbox
from app.services.realtime.rooms import ADMINS_ROOM
from app.services.shared.errors import Conflict, NotFound
from app.services.shared.transaction import commit


def review_window():
    return timedelta(seconds=current_app.config["CONCERN_REVIEW_WINDOW"])


def _data(concern, student, escalated=False):
    return {
        "concern_id": concern.id,
        "student_id": student.id,
        "student_name": student.name,
        "status": concern.status,
        "categories": list(concern.categories or []),
        "excerpt": alerts.excerpt(concern.intent.message if concern.intent else "", concern.matched or []),
        "escalated": escalated,
    }


def source_for(intent_label, detection, concern_labels):
    """Why a message that did not page is a concern: "text" (the check's review tier),
    "label" (a chatbot concern label), "both"; None when it is not one."""
    by_text = detection.tier == REVIEW
    by_label = intent_label.strip().lower() in {label.lower() for label in concern_labels}
    return {(True, True): "both", (True, False): "text", (False, True): "label"}.get((by_text, by_label))


def open_concern(student, intent, detection, source="text"):
    """Store a concern and tell the mentor (the admins when there is none), in the caller's
    open transaction: the intent and its concern are committed together."""
    concern = CrisisConcern(
        student_id=student.id,
        mentor_id=student.mentor_id,
        intent_id=intent.id,
        status=OPEN,
        source=source,
        categories=list(detection.categories),
        matched=list(detection.matched),
    )
    concern.intent = intent
    db.session.add(concern)
    db.session.flush()
    title = f"For review: a message from {student.name}"
    body = f"{student.name} sent a message with risk signals but no clear crisis. Please look at it today."
    mentor = student.mentor
    if mentor is not None and mentor.is_active:
        notifications.notify(mentor, notification_types.CRISIS_CONCERN, title, body, _data(concern, student))
    else:
        notifications.notify_admins(notification_types.CRISIS_CONCERN, title, body, _data(concern, student))
    return concern


def _may_review(user, concern):
    """Admins, and the student's current mentor (as for alerts)."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MENTOR and concern.student.mentor_id == user.id


def get_concern(user, concern_id, lock=False):
    query = select(CrisisConcern).where(CrisisConcern.id == concern_id)
    concern = db.session.scalar(query.with_for_update() if lock else query)
    if concern is None or not _may_review(user, concern):
        raise NotFound("concern_not_found", f"No concern with id {concern_id} among yours.")
    return concern


def list_concerns(user, status=None, limit=100):
    """Newest first; a mentor sees their current students' concerns only."""
    # the student's name and the message for every item: loaded in two queries, not one each
    query = (
        select(CrisisConcern)
        .options(selectinload(CrisisConcern.student), selectinload(CrisisConcern.intent))
        .order_by(CrisisConcern.id.desc())
        .limit(limit)
    )
    if user.role != Role.ADMIN:
        query = query.where(CrisisConcern.student_id.in_(select(User.id).where(User.mentor_id == user.id)))
    if status:
        query = query.where(CrisisConcern.status == status)
    return [_item(concern) for concern in db.session.scalars(query)]


def _item(concern):
    return {
        "id": concern.id,
        "student_id": concern.student_id,
        "student_name": concern.student.name,
        "excerpt": alerts.excerpt(concern.intent.message, concern.matched or []),
        "categories": list(concern.categories or []),
        "created_at": concern.created_at,
        "status": concern.status,
    }


def _close(user, concern_id, status, note=None):
    concern = get_concern(user, concern_id, lock=True)
    if concern.status != OPEN:
        raise Conflict("concern_reviewed", f"This concern is already {concern.status}.")
    concern.status, concern.reviewed_at, concern.reviewed_by, concern.note = status, utcnow(), user.id, note
    return concern


def dismiss(user, concern_id, note=None):
    """The mentor looked and found nothing wrong: recorded as "not a crisis" for training."""
    concern = _close(user, concern_id, DISMISSED, note)
    commit()
    return _item(concern)


def raise_to_alert(user, concern_id, note=None):
    """Make the concern a crisis alert in one step: paged, with the escalation ladder, as any other."""
    concern = _close(user, concern_id, RAISED, note)
    student = concern.student
    severity = max(
        ["high", *(CATEGORIES[c]["severity"] for c in concern.categories or [] if c in CATEGORIES)],
        key=SEVERITIES.index,
    )
    finding = Detection(False, list(concern.categories or []), list(concern.matched or []), severity)
    alert = alerts.raise_alert(student, concern.intent, severity, "text", finding)
    alerts.record_step(alert, "raised_from_concern", actor_id=user.id, note=f"concern {concern.id}")
    concern.alert_id = alert.id
    commit()
    return alert


def due_concern_ids(now=None):
    """Open concerns older than the review window that the admins have not been told of."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(CrisisConcern.id)
            .where(
                CrisisConcern.status == OPEN,
                CrisisConcern.escalated_at.is_(None),
                CrisisConcern.created_at <= now - review_window(),
            )
            .order_by(CrisisConcern.id)
        )
    )


def escalate(concern_id, now=None):
    """Tell the admins about one unreviewed concern if it is due. Safe to run twice: the row
    lock and `escalated_at` make the second run do nothing."""
    now = now or utcnow()
    concern = db.session.scalar(select(CrisisConcern).where(CrisisConcern.id == concern_id).with_for_update())
    if (
        concern is None
        or concern.status != OPEN
        or concern.escalated_at is not None
        or concern.created_at > now - review_window()
    ):
        db.session.rollback()
        return None
    concern.escalated_at = now
    student = concern.student
    data = _data(concern, student, escalated=True)
    # each admin's inbox (the `notification` event in their own room), and one event for
    # the admins' console in room `admins`
    notifications.notify_admins(
        notification_types.CRISIS_CONCERN,
        f"Unreviewed concern: {student.name}",
        f"A concern about {student.name} has waited more than a day for review by their mentor.",
        data,
    )
    outbox.record(events.CONCERN_ESCALATED, ADMINS_ROOM, data)
    commit()
    return "escalated"
