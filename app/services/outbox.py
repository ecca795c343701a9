"""Live events that must not be lost: stored with the change, published after commit.

record() adds the event to the caller's transaction; after the commit, deliver() tries to
publish at once. Whatever could not be published stays unsent and relay() (a periodic
job, and at worker start) sends it later, oldest first. Clients drop duplicates by the
event id in the payload, since a publish can succeed just before marking it sent fails.
"""

import logging

import redis
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxEvent, utcnow
from app.realtime.emit import emit

log = logging.getLogger(__name__)


def record(event, room, payload):
    """Add an event to the current transaction; the caller commits."""
    row = OutboxEvent(event=event, room=room, payload=payload)
    db.session.add(row)
    return row


def deliver(rows):
    """Publish committed rows now; on a Redis failure leave them for the relay."""
    sent = 0
    for row in rows:
        try:
            emit(row.event, row.payload, row.room)
        except redis.RedisError as exc:
            log.warning("outbox %s not published yet (%s); the relay will retry", row.id, exc)
            row.attempts += 1
            break
        row.sent_at = utcnow()
        row.attempts += 1
        sent += 1
    db.session.commit()
    return sent


def relay(batch_size=500):
    """Publish every unsent event, oldest first. Safe to run twice: sent rows are skipped."""
    total = 0
    while True:
        rows = db.session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.sent_at.is_(None))
            .order_by(OutboxEvent.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return total
        sent = deliver(rows)
        total += sent
        if sent < len(rows):
            return total


def prune_sent(older_than):
    """Forget events published before `older_than`."""
    count = (
        db.session.query(OutboxEvent)
        .filter(OutboxEvent.sent_at.is_not(None), OutboxEvent.sent_at < older_than)
        .delete()
    )
    db.session.commit()
    return count
