"""Housekeeping: the outbox relay and pruning."""

from datetime import datetime, timedelta

from flask import current_app

from app.jobs.base import job
from app.models import utcnow
from app.services.dashboard import stream
from app.services.identity import tokens
from app.services.notifications.mail import log as mail_log
from app.services.realtime import outbox
from app.services.shared import idempotency


@job
def relay_outbox():
    """Publish every live event that is still unsent."""
    return {"sent": outbox.relay()}


@job
def prune(now=None):
    """Hourly, in batches: expired revocations, old idempotency keys, outbox rows past replay, old email rows."""
    now = datetime.fromisoformat(now) if isinstance(now, str) else (now or utcnow())
    config = current_app.config
    return {
        "revocations": tokens.prune_expired(now),
        "idempotency": idempotency.prune(now),
        "outbox": outbox.prune_sent(now - timedelta(hours=config["OUTBOX_REPLAY_HOURS"])),
        "emails": mail_log.prune(now - timedelta(days=config["EMAIL_LOG_DAYS"])),
        # Stream tokens live only in Redis: GETDEL removes a used one, a TTL an expired one.
        "stream_tokens": stream.prune_tokens(),
    }
