"""The cleanup job removes what is past its time, in batches, and keeps the rest."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db, get_redis
from app.jobs.maintenance import prune
from app.models import EmailMessage, IdempotencyRecord, OutboxEvent, RevokedToken, utcnow
from app.services.shared import cache
from tests.helpers import make_user


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_prune_in_batches(app):
    now = utcnow()
    user = make_user()
    old, recent = now - timedelta(days=100), now - timedelta(minutes=5)
    db.session.add_all(
        [RevokedToken(jti=f"gone-{i}", user_id=user.id, token_type="access", expires_at=old) for i in range(5)]
        + [RevokedToken(jti="live", user_id=user.id, token_type="access", expires_at=now + timedelta(hours=1))]
        + [
            IdempotencyRecord(scope="s", key=f"k{i}", request_hash="h", status_code=201, response={}, created_at=old)
            for i in range(5)
        ]
        + [IdempotencyRecord(scope="s", key="fresh", request_hash="h", status_code=201, response={}, created_at=now)]
        + [OutboxEvent(event="e", room="r", payload={}, created_at=old, sent_at=old) for _ in range(5)]
        + [OutboxEvent(event="e", room="r", payload={}, created_at=old, sent_at=None)]  # never sent: kept
        + [OutboxEvent(event="e", room="r", payload={}, created_at=recent, sent_at=recent)]  # replayable: kept
        + [EmailMessage(user_id=user.id, to_address="a@b.c", type="t", template="t", created_at=old) for _ in range(3)]
        + [EmailMessage(user_id=user.id, to_address="a@b.c", type="t", template="t", created_at=now)]
    )
    db.session.commit()
    r = get_redis()
    r.set(cache.stream_token_key("no-ttl"), 1)  # lost its TTL somehow
    r.set(cache.stream_token_key("unused"), 1, ex=60)

    app.config["PRUNE_BATCH"] = 2  # several batches each
    try:
        result = prune(now=now.isoformat())
    finally:
        app.config["PRUNE_BATCH"] = 1000
    assert result == {
        "revocations": 5,
        "idempotency": 5,
        "outbox": 5,
        "emails": 3,
        "stream_tokens": 1,
    }
    assert _count(RevokedToken) == 1 and _count(IdempotencyRecord) == 1
    assert _count(OutboxEvent) == 2 and _count(EmailMessage) == 1
    assert not r.exists(cache.stream_token_key("no-ttl")) and r.exists(cache.stream_token_key("unused"))
    assert prune(now=now.isoformat())["revocations"] == 0  # safe to run twice
