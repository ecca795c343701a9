"""Decide whether an email goes out, record it with the change, and enqueue its sending after commit."""

import logging
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import EmailMessage, utcnow
from app.models.email import FAILED, QUEUED
from app.services.notifications import preferences
from app.services.shared.queues import enqueue
from app.services.shared.transaction import after_commit

log = logging.getLogger(__name__)

# Money and safety: always sent, never capped, no List-Unsubscribe.
CRITICAL_TYPES = frozenset({"payment_approved", "payment_rejected"}) | preferences.MANDATORY_TYPES
SEND_JOB = "app.jobs.email.send_email"
# A recorded email with no attempt this long after it was recorded lost its job (Redis was
# down at commit): the sweep enqueues it again.
STALE_AFTER = timedelta(minutes=10)


def is_critical(type):
    return type in CRITICAL_TYPES


def sent_today(user_id, now=None):
    """Non-critical emails recorded for this user since midnight UTC (failed ones excluded)."""
    now = now or utcnow()
    midnight = datetime.combine(now.date(), time(), now.tzinfo)
    return db.session.scalar(
        select(func.count(EmailMessage.id)).where(
            EmailMessage.user_id == user_id,
            EmailMessage.critical.is_(False),
            EmailMessage.status != FAILED,
            EmailMessage.created_at >= midnight,
        )
    )


def allowed(user, type, now=None):
    """Would an email of this type reach this user now? (email preference, daily cap)"""
    if not user.is_active or not user.email:
        return False
    if not preferences.wants(user.id, type, "email"):
        return False
    if not is_critical(type) and sent_today(user.id, now) >= current_app.config["EMAIL_DAILY_CAP"]:
        log.info("email %s to user %s skipped: daily cap reached", type, user.id)
        return False
    return True


def send(user, type, template, context=None, period_key=None, now=None):
    """Record an email in the open transaction and send it by job after commit; None if not wanted."""
    if not allowed(user, type, now):
        return None
    row = EmailMessage(
        user_id=user.id,
        to_address=user.email,
        type=type,
        template=template,
        context=context or {},
        critical=is_critical(type),
        period_key=period_key,
    )
    if now is not None:
        row.created_at = now
    db.session.add(row)
    db.session.flush()
    message_id = row.id
    after_commit(lambda: enqueue(SEND_JOB, message_id))
    return row


def requeue_stale(now=None, limit=500):
    """Enqueue again the emails still waiting for a first attempt STALE_AFTER after they were
    recorded (the row is the record; the job is only the messenger). Sending is safe to run
    twice: a sent row is skipped. Returns how many were enqueued."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(EmailMessage.id)
        .where(EmailMessage.status == QUEUED, EmailMessage.attempts == 0, EmailMessage.created_at < now - STALE_AFTER)
        .order_by(EmailMessage.id)
        .limit(limit)
    ).all()
    for message_id in ids:
        enqueue(SEND_JOB, message_id)
    return len(ids)
