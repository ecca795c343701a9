"""What the send job does: render, deliver, mark sent. Safe to run twice: a sent row is skipped."""

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage, User, utcnow
from app.models.email import FAILED, SENT
from app.services.notifications.mail import compose, transport

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and the retries declared for the job in app/services/shared/queues.py


def send_message(message_id):
    """Deliver one recorded email; raises on failure so RQ retries with back-off."""
    # The row lock makes two copies of the job take turns; the second sees it sent.
    row = db.session.scalar(select(EmailMessage).where(EmailMessage.id == message_id).with_for_update())
    if row is None or row.status == SENT:
        db.session.rollback()
        return "skipped"
    user = db.session.get(User, row.user_id) if row.user_id else None
    row.attempts += 1
    try:
        where = transport.deliver(compose.build(row, user.name if user else ""))
    except Exception as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = FAILED
        db.session.commit()
        log.warning("email %s attempt %s failed: %s", message_id, row.attempts, row.last_error)
        raise
    row.status, row.sent_at, row.last_error = SENT, utcnow(), None
    db.session.commit()
    return where
