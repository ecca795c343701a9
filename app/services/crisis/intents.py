"""Chatbot intents: store every one; a crisis raises an alert in the same transaction.

Order matters and is the point of this module: the intent, the alert, the mentor's
notification, the outbox rows for the live events and the idempotency record are
committed together, and only then is anything published. If Redis or the publish fails,
the request still succeeds and the outbox relay delivers later.
"""

from flask import current_app
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ChatIntent, Role, User
from app.services.crisis import attach, concerns
from app.services.crisis.detection import verdict as crisis_check
from app.services.shared import cache, idempotency
from app.services.shared.errors import Forbidden, Invalid, NotFound
from app.services.shared.text import clean_text
from app.services.shared.transaction import after_commit

# The alert's `source`, from classify()'s reason.
SOURCE_OF_REASON = {"label": "label", "text": "text", "label+text": "both"}


def _student(student_id):
    # The mentor comes in the same statement: a crisis alert tells them (alerts._tell).
    student = db.session.get(User, student_id, options=[joinedload(User.mentor)])
    if student is None or student.role != Role.STUDENT or not student.is_active:
        raise NotFound("student_not_found", f"No active student with id {student_id}.")
    return student


def resolve_student(caller, body):
    """Which student this intent is about. A student may only ever post for themselves."""
    if caller is None:  # the chatbot's service key
        if body.get("student_id") is None:
            raise Invalid(details={"student_id": ["Required when calling with a service key."]})
        return _student(body["student_id"])
    if caller.role != Role.STUDENT:
        raise Forbidden(message="Only the chatbot's service key or a student's own token may post intents.")
    if body.get("student_id") not in (None, caller.id):
        raise Forbidden("not_your_student_id", "A student token can only post intents for that student.")
    return caller


def _answer(intent, alert, concern=None):
    return {
        "id": intent.id,
        "intent": intent.intent,
        "crisis": intent.is_crisis,
        "alert": {"id": alert.id, "severity": alert.severity, "status": alert.status} if alert else None,
        "concern": {"id": concern.id, "status": concern.status} if concern else None,
    }


def record(caller, scope, body, idempotency_key=None):
    """Store an intent (and any crisis alert). Returns (answer, status_code)."""
    idempotency.check_key(idempotency_key)
    replayed = idempotency.replay(scope, idempotency_key, body)
    if replayed is not None:
        return replayed
    student = resolve_student(caller, body)
    message = clean_text(body["message"])
    verdict = crisis_check.check(message, current_app.config["CRISIS_MODEL_PAGE_SCORE"])  # rules and model
    is_crisis, reason = crisis_check.classify(body["intent"], verdict, current_app.config["CRISIS_LABELS"])
    intent = ChatIntent(
        student_id=student.id,
        message=message,
        intent=body["intent"],
        confidence=body["confidence"],
        severity=body.get("severity"),
        is_crisis=is_crisis,
        crisis_reason=reason,
    )
    db.session.add(intent)
    db.session.flush()
    alert = concern = None
    if is_crisis:
        severity = crisis_check.severity(body.get("severity"), body["confidence"], reason, verdict)
        # one open alert per student: a new one, or the open one this message joins (attach.py)
        alert = attach.raise_or_attach(student, intent, severity, SOURCE_OF_REASON[reason], verdict)
    else:  # the review tier (concerns.py): risk signals without a clear crisis
        source = concerns.source_for(body["intent"], verdict, current_app.config["CONCERN_LABELS"])
        if source:
            concern = concerns.open_concern(student, intent, verdict, source)
    answer = _answer(intent, alert, concern)
    student_id = student.id  # now: after the commit, student.id would reload the row
    after_commit(lambda: cache.on_student_activity(student_id))
    return idempotency.commit_remembered(scope, idempotency_key, body, answer, 201)
