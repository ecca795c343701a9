"""Crisis alerts: raise, acknowledge, resolve, and the escalation ladder.

An open alert not acknowledged within CRISIS_ACK_TIMEOUT is escalated: the mentor is told
again and the admins are told, and this repeats every CRISIS_ACK_TIMEOUT until someone
acknowledges. An acknowledged alert not resolved within CRISIS_RESOLVE_TIMEOUT reminds the
mentor, repeating likewise. Each alert carries `next_check_at`; the check takes a row lock
and acts only when that time has passed, so running it twice (RQ retries, the periodic
sweep and the per-alert delayed job overlapping) does nothing twice.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import AlertMessage, AlertStep, CrisisAlert, Notification, Role, User, utcnow
from app.models.alerts import ACKNOWLEDGED, OPEN, RESOLVED
from app.services.notifications import inbox as notifications
from app.services.realtime import events, outbox
from app.services.realtime.rooms import ADMINS_ROOM, mentor_room
from app.services.shared import cache
from app.services.shared.errors import Conflict, NotFound
from app.services.shared.queues import enqueue_in
from app.services.shared.transaction import after_commit, commit

CRISIS = notifications.CRISIS_TYPE


def ack_timeout():
    return timedelta(seconds=current_app.config["CRISIS_ACK_TIMEOUT"])


def resolve_timeout():
    return timedelta(seconds=current_app.config["CRISIS_RESOLVE_TIMEOUT"])


def _step(alert, action, actor_id=None, note=None):
    db.session.add(AlertStep(alert_id=alert.id, action=action, actor_id=actor_id, note=note))


# For the other crisis services (concerns.py), which add steps to an alert they raised.
record_step = _step

EXCERPT_LENGTH = 160


def excerpt(message, matched=(), limit=EXCERPT_LENGTH):
    """A short piece of the message for the mentor's bell, around the first thing matched.
    `matched` is in the detector's normalised form, so its longest word is looked for."""
    text = " ".join((message or "").split())
    if len(text) <= limit:
        return text
    lowered = text.lower()
    words = [w for m in matched for w in sorted(m.split(), key=len, reverse=True)[:1] if len(w) > 2]
    at = next((i for i in (lowered.find(w) for w in words) if i >= 0), 0)
    start = max(0, min(at - limit // 3, len(text) - limit))
    piece = text[start : start + limit]
    return ("…" if start else "") + piece + ("…" if start + limit < len(text) else "")


def _tell(alert, student, title, body, escalated=False, intent=None):
    """Notify the student's current mentor (every admin when there is none); escalations add the admins.
    The excerpt is from `intent` when given (a message attached later), else the first message."""
    intent = intent or alert.intent
    data = {
        "alert_id": alert.id,
        "student_id": student.id,
        "student_name": student.name,
        "severity": alert.severity,
        "status": alert.status,
        "escalation_level": alert.escalation_level,
        "categories": list(alert.categories or []),
        "excerpt": excerpt(intent.message if intent else "", alert.matched or []),
    }
    told = []
    mentor = db.session.get(User, alert.mentor_id) if alert.mentor_id else None
    if mentor is not None and mentor.is_active:
        notifications.notify(mentor, CRISIS, title, body, data, alert_id=alert.id)
        told.append(f"mentor:{mentor.id}")
    if mentor is None or not mentor.is_active or escalated:
        notifications.notify_admins(CRISIS, title, body, data, alert_id=alert.id)
        told.append("admins")
    return told


def add_message(alert, intent, severity, source, detection, model=None):
    """One crisis message on the alert (its first, or one attached later: attach.py)."""
    db.session.add(
        AlertMessage(
            alert_id=alert.id,
            intent_id=intent.id,
            severity=severity,
            source=source,
            categories=list(detection.categories),
            matched=list(detection.matched),
            model=model,
        )
    )


def raise_alert(student, intent, severity, source, detection, model=None):
    """Create the alert, with its trigger, and its notifications in the caller's open transaction.
    `source` is label, text or both; `detection` is the text check's finding (the rules'
    categories and phrases); `model` the model's part of the trigger when it fired."""
    alert = CrisisAlert(
        student_id=student.id,
        mentor_id=student.mentor_id,
        intent_id=intent.id,
        severity=severity,
        status=OPEN,
        source=source,
        categories=list(detection.categories),
        matched=list(detection.matched),
        model=model,
        message_count=1,
        next_check_at=utcnow() + ack_timeout(),
    )
    alert.intent = intent
    db.session.add(alert)
    db.session.flush()
    add_message(alert, intent, severity, source, detection, model)
    told = _tell(
        alert,
        student,
        f"Crisis alert: {student.name}",
        f"{student.name} sent a message that may signal a crisis ({severity}). Please reach out now.",
    )
    # Both steps added together, so they go in one INSERT (in this order) at the commit.
    _step(alert, "created", note=f"intent {intent.intent!r}, reason {intent.crisis_reason}")
    _step(alert, "notified", note=", ".join(told))
    alert_id = alert.id  # now: after the commit, alert.id would reload the row (the crisis path's tail)
    after_commit(lambda: schedule_check(alert_id, ack_timeout()))
    return alert


def schedule_check(alert_id, delay):
    """A delayed job for this alert; the periodic sweep catches it too if this is lost."""
    enqueue_in(delay + timedelta(seconds=1), "app.jobs.alerts.check_alert", alert_id)


def _may_act(user, alert):
    """Admins, and the student's current mentor (alerts move with the student)."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MENTOR and alert.mentor_id == user.id and alert.student.mentor_id == user.id


def get_alert(user, alert_id, lock=False):
    query = select(CrisisAlert).where(CrisisAlert.id == alert_id)
    alert = db.session.scalar(query.with_for_update() if lock else query)
    if alert is None or not _may_act(user, alert):
        raise NotFound("alert_not_found", f"No alert with id {alert_id} among yours.")
    return alert


def list_alerts(user, status=None, student_id=None, limit=50, before_id=None, full=False):
    """`full`: with each alert's student and trigger joined in and its steps loaded in one
    more query (the mentor's banner shows them; without it, one query per alert each)."""
    query = select(CrisisAlert).order_by(CrisisAlert.id.desc()).limit(limit + 1)
    if full:
        query = query.options(
            joinedload(CrisisAlert.student), joinedload(CrisisAlert.intent), selectinload(CrisisAlert.steps)
        )
    if user.role != Role.ADMIN:
        current = select(User.id).where(User.mentor_id == user.id)
        query = query.where(CrisisAlert.mentor_id == user.id, CrisisAlert.student_id.in_(current))
    if status:
        query = query.where(CrisisAlert.status == status)
    if student_id:
        query = query.where(CrisisAlert.student_id == student_id)
    if before_id:
        query = query.where(CrisisAlert.id < before_id)
    rows = db.session.scalars(query).all()
    items = rows[:limit]
    return {"items": items, "next_before_id": items[-1].id if len(rows) > limit else None}


def acknowledge(user, alert_id):
    alert = get_alert(user, alert_id, lock=True)
    if alert.status == RESOLVED:
        raise Conflict("alert_resolved", "This alert is already resolved.")
    if alert.status == OPEN:
        alert.status = ACKNOWLEDGED
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = user.id
        alert.next_check_at = alert.acknowledged_at + resolve_timeout()
        _step(alert, "acknowledged", actor_id=user.id)
        _after_change(alert)
        after_commit(lambda: schedule_check(alert.id, resolve_timeout()))
        commit()
    return alert


def resolve(user, alert_id, note, outcome=None):
    """Close the alert with what was done and, when given, how it turned out (OUTCOMES)."""
    alert = get_alert(user, alert_id, lock=True)
    if alert.status == RESOLVED:
        raise Conflict("alert_resolved", "This alert is already resolved.")
    now = utcnow()
    if alert.status == OPEN:  # resolving implies having seen it
        alert.acknowledged_at, alert.acknowledged_by = now, user.id
        _step(alert, "acknowledged", actor_id=user.id)
    alert.status = RESOLVED
    alert.resolved_at, alert.resolved_by, alert.resolution_note = now, user.id, note
    alert.outcome = outcome
    alert.next_check_at = None
    _step(alert, "resolved", actor_id=user.id, note=f"{outcome}: {note}" if outcome else note)
    _after_change(alert)
    commit()
    return alert


def move_to_mentor(student, new_mentor, actor=None):
    """The student has a new mentor: their unresolved alerts, and the escalation ladder, go
    with them. The new mentor is told at once; the old one loses access. Caller commits."""
    moving = db.session.scalars(
        select(CrisisAlert)
        .where(CrisisAlert.student_id == student.id, CrisisAlert.status != RESOLVED)
        .order_by(CrisisAlert.id)
        .with_for_update()
    ).all()
    for alert in moving:
        previous = alert.mentor_id
        if previous == new_mentor.id:
            continue
        alert.mentor_id = new_mentor.id
        _step(alert, "reassigned", actor_id=actor.id if actor else None, note=f"mentor {previous} -> {new_mentor.id}")
        told = _tell(
            alert,
            student,
            f"Crisis alert: {student.name} is now your student",
            f"{student.name} has an {alert.status} crisis alert ({alert.severity}). Please reach out now.",
        )
        _step(alert, "notified", note=", ".join(told))
        _after_change(alert, extra_user_ids={previous} if previous else set())
    return moving


ALERT_UPDATED = events.ALERT_UPDATED


def _announce(alert, extra_user_ids=()):
    """`alert:updated` to the alert's mentor (and a previous one) and to every admin, so each
    of their open pages (banner, alert page, other tabs) shows the new state within a second."""
    db.session.flush()  # the steps' ids and times, and the alert's columns, as committed
    payload = {
        "alert_id": alert.id,
        "student_id": alert.student_id,
        "mentor_id": alert.mentor_id,
        "status": alert.status,
        "severity": alert.severity,
        "escalation_level": alert.escalation_level,
        "acknowledged_by": alert.acknowledged_by,
        "resolved_by": alert.resolved_by,
        "outcome": alert.outcome,
    }
    rooms = [mentor_room(m) for m in sorted({alert.mentor_id, *extra_user_ids} - {None})] + [ADMINS_ROOM]
    outbox.record_many([(ALERT_UPDATED, room, payload) for room in rooms])


def _after_change(alert, extra_user_ids=()):
    """Pinned flags in fast lists and the student's insights change with the alert; its
    mentor's and the admins' pages are told (alert:updated). The keys are worked out now:
    after the commit, touching the rows would read them again."""
    _announce(alert, extra_user_ids)
    user_ids = set(db.session.scalars(select(Notification.user_id).where(Notification.alert_id == alert.id)))
    user_ids |= set(extra_user_ids)
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all() if user_ids else []
    keys = [notifications.fast_list_key(u) for u in users]
    student_id = alert.student_id

    def invalidate():
        for key in keys:
            notifications.invalidate_fast_list_key(key)
        cache.on_student_activity(student_id)

    after_commit(invalidate)


def check(alert_id, now=None):
    """Escalate or remind if this alert is due. Safe to run any number of times."""
    now = now or utcnow()
    alert = db.session.scalar(select(CrisisAlert).where(CrisisAlert.id == alert_id).with_for_update())
    if alert is None or alert.status == RESOLVED or alert.next_check_at is None or alert.next_check_at > now:
        db.session.rollback()
        return None
    student = db.session.get(User, alert.student_id)
    if alert.status == OPEN:
        alert.escalation_level += 1
        told = _tell(
            alert,
            student,
            f"Escalated crisis alert: {student.name}",
            f"Nobody has acknowledged {student.name}'s crisis alert yet (escalation {alert.escalation_level}).",
            escalated=True,
        )
        _step(alert, "escalated", note=", ".join(told))
        alert.next_check_at = now + ack_timeout()
        action, delay = "escalated", ack_timeout()
    else:
        told = _tell(
            alert,
            student,
            f"Reminder: {student.name}'s crisis alert is not resolved",
            "Acknowledged but not yet resolved; resolve it with a note once the student is safe.",
        )
        _step(alert, "reminded", note=", ".join(told))
        alert.next_check_at = now + resolve_timeout()
        action, delay = "reminded", resolve_timeout()
    _after_change(alert)
    after_commit(lambda: schedule_check(alert.id, delay))
    commit()
    return action


def due_alert_ids(now=None):
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(CrisisAlert.id)
            .where(CrisisAlert.status != RESOLVED, CrisisAlert.next_check_at <= now)
            .order_by(CrisisAlert.next_check_at)
        )
    )
