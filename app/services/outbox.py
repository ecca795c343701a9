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
from app.services.pruning import delete_in_batches
from app.services.transaction import after_commit

log = logging.getLogger(__name__)


_PENDING = "pulse_outbox_pending"


def record(event, room, payload):
    """Add an event to the current transaction; it is published once transaction.commit() succeeds."""
    row = OutboxEvent(event=event, room=room, payload=payload)
    db.session.add(row)
    pending = db.session.info.setdefault(_PENDING, [])
    if not pending:
        after_commit(_deliver_pending)
    pending.append(row)
    return row


def record_many(events):
    """Add [(event, room, payload), ...] to the current transaction: one multi-row INSERT at
    flush (SQLAlchemy batches the rows and their RETURNING ids); published in order after commit."""
    rows = [OutboxEvent(event=event, room=room, payload=payload) for event, room, payload in events]
    if not rows:
        return rows
    db.session.add_all(rows)
    pending = db.session.info.setdefault(_PENDING, [])
    if not pending:
        after_commit(_deliver_pending)
    pending.extend(rows)
    return rows


def _deliver_pending():
    deliver(db.session.info.pop(_PENDING, []))


def packet(row):
    """The payload as clients see it: every event carries its id, for de-duplication and replay."""
    if isinstance(row.payload, dict):
        return {"event_id": row.id, **row.payload}
    return row.payload


def deliver(rows):
    """Publish committed rows now, in order; on a Redis failure leave the rest for the relay."""
    sent = 0
    for row in rows:
        try:
            emit(row.event, packet(row), row.room)
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
    """Forget events published before `older_than` (past their replay window), in batches."""
    return delete_in_batches(OutboxEvent, OutboxEvent.sent_at.is_not(None), OutboxEvent.sent_at < older_than)


def record_to_rooms(event, rooms, payload):
    """The same event to several rooms (each once), e.g. a student's and their mentor's."""
    return [record(event, room, payload) for room in dict.fromkeys(r for r in rooms if r)]
