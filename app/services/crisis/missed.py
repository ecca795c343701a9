"""The other half of the field's feedback: messages that should have alerted and did not.

Mentors already mark false alarms (an alert resolved as `false_alarm`). Here the student's
mentor, or an admin, reports a stored chatbot message that raised nothing. Reports join
the next `flask crisis train` as crisis rows (false alarms from text alone join as
ordinary rows), and the feedback export lists them. docs/crisis-detection.md has the loop.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import ChatIntent, CrisisAlert, MissedCrisisReport, Role, User
from app.services.crisis.detection import CATEGORIES
from app.services.identity import access
from app.services.shared.errors import Conflict, Invalid, NotFound
from app.services.shared.transaction import commit


def report(user, intent_id, category, note=None):
    """Record that this message of a student should have alerted. 404 for a message of
    someone else's student; 409 when it did alert, or was already reported."""
    if category not in CATEGORIES:
        raise Invalid(details={"category": [f"One of: {', '.join(CATEGORIES)}."]})
    intent = db.session.get(ChatIntent, intent_id)
    student = db.session.get(User, intent.student_id) if intent else None
    allowed = student is not None and (
        user.role == Role.ADMIN or (user.role == Role.MENTOR and student.mentor_id == user.id)
    )
    if not allowed:
        raise NotFound("message_not_found", f"No message with id {intent_id} among your students'.")
    if intent.is_crisis:
        raise Conflict("already_alerted", "This message raised a crisis alert; nothing was missed.")
    if db.session.scalar(select(MissedCrisisReport.id).where(MissedCrisisReport.intent_id == intent.id)):
        raise Conflict("already_reported", "This message has already been reported.")
    row = MissedCrisisReport(
        student_id=student.id, reporter_id=user.id, intent_id=intent.id, category=category, note=note
    )
    db.session.add(row)
    commit()
    return row


def reportable(user, student_id, limit=20):
    """The messages of one of the caller's students that could be reported: stored, newest
    first, that raised no alert and were not reported yet (404 for someone else's student)."""
    student = access.mentor_student(user, student_id)
    reported = select(MissedCrisisReport.intent_id).where(MissedCrisisReport.student_id == student.id)
    return db.session.scalars(
        select(ChatIntent)
        .where(ChatIntent.student_id == student.id, ChatIntent.is_crisis.is_(False), ChatIntent.id.not_in(reported))
        .order_by(ChatIntent.id.desc())
        .limit(limit)
    ).all()


def reports():
    """Every report, oldest first (the export and the training run)."""
    return db.session.scalars(select(MissedCrisisReport).order_by(MissedCrisisReport.id)).all()


def training_rows():
    """What the field adds to the next training run: each reported message as a crisis row,
    and each message that alerted on the text alone but was resolved as a false alarm as an
    ordinary row. The student's words stay inside Pulse: they are read here, by the command."""
    rows = [
        {"text": r.intent.message, "category": r.category, "lang": "?", "source": "field:missed"} for r in reports()
    ]
    false_alarms = db.session.scalars(
        select(CrisisAlert).where(CrisisAlert.outcome == "false_alarm", CrisisAlert.source == "text")
    )
    rows += [
        {"text": a.intent.message, "category": None, "lang": "?", "source": "field:false_alarm"} for a in false_alarms
    ]
    return rows
