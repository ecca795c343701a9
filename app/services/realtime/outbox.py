"""Live events that must not be lost: stored with the change, published after commit.

record() adds the event to the caller's transaction; after the commit, deliver() tries to
publish at once. Whatever could not be published stays unsent and relay() (a periodic
job, and at worker start) sends it later, oldest first. Clients drop duplicates by the
event id in the payload, since a publish can succeed just before marking it sent fails.
"""

import logging
from dataclasses import dataclass

import redis
from sqlalchemy import select, update

from app.extensions import db
from app.models import OutboxEvent, utcnow
from app.services.realtime.emit import emit
from app.services.realtime.events import registered
from app.services.shared.pruning import delete_in_batches
from app.services.shared.transaction import after_commit, before_commit

log = logging.getLogger(__name__)


_PENDING = "pulse_outbox_pending"


def record(event, room, payload):
    """Add an event to the current transaction; it is published once transaction.commit() succeeds."""
    return record_many([(event, room, payload)])[0]


def record_many(events):
    """Add [(event, room, payload), ...] to the current transaction: one multi-row INSERT at
    flush (SQLAlchemy batches the rows and their RETURNING ids); published in order after commit."""
    rows = [OutboxEvent(event=registered(event), room=room, payload=payload) for event, room, payload in events]
    if not rows:
        return rows
    db.session.add_all(rows)
    pending = db.session.info.setdefault(_PENDING, [])
    if not pending:
        before_commit(_take_ids)
        after_commit(_deliver_pending)
    pending.extend(rows)
    return rows


@dataclass(frozen=True)
class Pending:
    """What deliver() needs of a row, kept apart from it: after the commit the row is expired,
    and reading it back would put a SELECT between the commit and a crisis alert's publish."""

    id: int
    event: str
    room: str
    payload: object

    @classmethod
    def of(cls, row):
        return cls(row.id, row.event, row.room, row.payload)


def _take_ids():
    """Just before the commit: flush (the rows get their ids) and keep what deliver() needs."""
    db.session.flush()
    db.session.info[_PENDING] = [Pending.of(row) for row in db.session.info.get(_PENDING, [])]


def _deliver_pending():
    deliver(db.session.info.pop(_PENDING, []))


def packet(row):
    """The payload as clients see it: every event carries its id, for de-duplication and replay."""
    if isinstance(row.payload, dict):
        return {"event_id": row.id, **row.payload}
    return row.payload


def deliver(events):
    """Publish committed events (Pending, in order) now; on a Redis failure leave the rest for
    the relay. One UPDATE marks what was sent, one what was tried and not sent."""
    sent = []
    for pending in events:
        try:
            emit(pending.event, packet(pending), pending.room)
        except redis.RedisError as exc:
            log.warning("outbox %s not published yet (%s); the relay will retry", pending.id, exc)
            _mark([pending.id], sent=False)
            break
        sent.append(pending.id)
    _mark(sent, sent=True)
    db.session.commit()
    return len(sent)


def _mark(ids, sent):
    if not ids:
        return
    values = {"attempts": OutboxEvent.attempts + 1}
    if sent:
        values["sent_at"] = utcnow()
    db.session.execute(
        update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(**values).execution_options(synchronize_session=False)
    )


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
        sent = deliver([Pending.of(row) for row in rows])
        total += sent
        if sent < len(rows):
            return total


def prune_sent(older_than):
    """Forget events published before `older_than` (past their replay window), in batches."""
    return delete_in_batches(OutboxEvent, OutboxEvent.sent_at.is_not(None), OutboxEvent.sent_at < older_than)


def record_to_rooms(event, rooms, payload):
    """The same event to several rooms (each once), e.g. a student's and their mentor's."""
    return [record(event, room, payload) for room in dict.fromkeys(r for r in rooms if r)]
