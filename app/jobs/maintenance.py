"""Housekeeping: the outbox relay and pruning."""

from datetime import timedelta

from app.jobs.base import job
from app.models import utcnow
from app.services import idempotency, outbox, tokens


@job
def relay_outbox():
    """Publish every live event that is still unsent."""
    return {"sent": outbox.relay()}


@job
def prune():
    """Drop expired revocations, old idempotency records, and events published over a day ago."""
    return {
        "revocations": tokens.prune_expired(),
        "idempotency": idempotency.prune(),
        "outbox": outbox.prune_sent(utcnow() - timedelta(days=1)),
    }
