"""One open alert per student: a further crisis message attaches to the alert already open.

Four messages in a row made four pinned alerts; a mentor wants one, holding all four.
While a student's alert is open or acknowledged, a new crisis message is stored on it
(AlertMessage, listed in the trigger with its time), raises its severity if higher,
tells the mentor again (a `crisis_alert` notification and its live event, as for a new
alert), and, if it was acknowledged, puts it back to open with a fresh escalation clock:
the mentor has not seen this message yet. A resolved alert is never reopened: the next
message opens a new alert.

Two messages of one student arriving together are serialised on the student's row
(FOR NO KEY UPDATE), so they cannot both open an alert.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import CrisisAlert, User, utcnow
from app.models.alerts import ACKNOWLEDGED, OPEN, SEVERITIES
from app.services.crisis import alerts
from app.services.shared.transaction import after_commit


def open_alert_of(student_id):
    """The student's open or acknowledged alert (the newest, should older data hold several), locked."""
    return db.session.scalar(
        select(CrisisAlert)
        .where(CrisisAlert.student_id == student_id, CrisisAlert.status.in_((OPEN, ACKNOWLEDGED)))
        .order_by(CrisisAlert.id.desc())
        .limit(1)
        .with_for_update()
    )


def raise_or_attach(student, intent, severity, source, verdict):
    """The alert this crisis message belongs to: the student's open one, or a new one.
    In the caller's open transaction, like alerts.raise_alert."""
    # FOR NO KEY UPDATE: serialises this student's crisis posts, yet does not wait on the
    # key-share lock each post's own intent row (a foreign key to the student) already holds,
    # which FOR UPDATE would, deadlocking two concurrent posts.
    db.session.execute(select(User.id).where(User.id == student.id).with_for_update(key_share=True))
    model = verdict.model_trigger() if source in ("text", "both") else None
    alert = open_alert_of(student.id)
    if alert is None:
        return alerts.raise_alert(student, intent, severity, source, verdict, model=model)
    return _attach(alert, student, intent, severity, source, verdict, model)


def _attach(alert, student, intent, severity, source, verdict, model):
    alerts.add_message(alert, intent, severity, source, verdict, model)
    alert.message_count = (alert.message_count or 1) + 1
    notes = [f"intent {intent.id}, reason {intent.crisis_reason}, message {alert.message_count}"]
    if SEVERITIES.index(severity) > SEVERITIES.index(alert.severity):
        notes.append(f"severity {alert.severity} -> {severity}")
        alert.severity = severity
    if alert.status == ACKNOWLEDGED:
        # the mentor acknowledged the earlier messages, not this one: the ladder starts again
        alert.status = OPEN
        alert.acknowledged_at = alert.acknowledged_by = None
        alert.next_check_at = utcnow() + alerts.ack_timeout()
        notes.append("back to open, escalation clock restarted")
        alert_id = alert.id
        after_commit(lambda: alerts.schedule_check(alert_id, alerts.ack_timeout()))
    told = alerts._tell(
        alert,
        student,
        f"Crisis alert: {student.name} wrote again",
        f"{student.name} sent another message that may signal a crisis ({alert.severity}); "
        f"the alert now holds {alert.message_count} messages. Please reach out now.",
        intent=intent,
    )
    alerts._step(alert, "attached", note="; ".join(notes))
    alerts._step(alert, "notified", note=", ".join(told))
    alerts._after_change(alert)
    return alert
