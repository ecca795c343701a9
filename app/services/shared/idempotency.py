"""Idempotency-Key: a retried request gets the first answer and creates nothing new.

The record is written in the same transaction as the work it answers for, so either both
exist or neither. Two concurrent first attempts race on the primary key; the loser rolls
back and replays the winner's answer. The same key with a different body is a 409.

Chatbot intents build their answer before the commit and store it with the work. The
portal's writes (app/api/idempotent.py) render their answer only after the service has
committed, so there the record is reserved inside the work's transaction (status 0, "answer
pending") and the answer is filled in right after; a retry that arrives in between, or
after a crash in between, gets 409 idempotency_in_progress instead of doing the work twice.
"""

import hashlib
import json
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IdempotencyRecord, utcnow
from app.services.shared.errors import Conflict, Invalid
from app.services.shared.pruning import delete_in_batches
from app.services.shared.transaction import commit, rollback

MAX_KEY_LENGTH = 128


def request_hash(body):
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key):
    if key is not None and not (1 <= len(key) <= MAX_KEY_LENGTH):
        raise Invalid(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 128 characters.",
            {"Idempotency-Key": ["Length must be between 1 and 128."]},
        )


class Replayed(tuple):
    """(response, status) answered again for a retried key: the view adds Idempotent-Replayed: true."""


def replay_headers(result):
    """The headers a service answer needs: Idempotent-Replayed: true when it was replayed."""
    return {"Idempotent-Replayed": "true"} if isinstance(result, Replayed) else {}


def replay(scope, key, body):
    """The stored (response, status) for this key (a Replayed), or None if it is new."""
    if key is None:
        return None
    record = db.session.get(IdempotencyRecord, (scope, key))
    if record is None:
        return None
    if record.request_hash != request_hash(body):
        raise Conflict("idempotency_key_reused", "This Idempotency-Key was already used with a different request body.")
    return Replayed((record.response, record.status_code))


PENDING = 0  # status_code of a reserved record whose answer is not stored yet


def lookup(scope, key, hashed):
    """(response, status) stored for this key and request hash; None for a new key; 409 for
    another request under the same key, or for one whose first answer is still pending."""
    record = db.session.get(IdempotencyRecord, (scope, key))
    if record is None:
        return None
    if record.request_hash != hashed:
        raise Conflict("idempotency_key_reused", "This Idempotency-Key was already used with a different request.")
    if record.status_code == PENDING:
        raise Conflict(
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed; retry in a moment.",
        )
    return record.response, record.status_code


def reserve(scope, key, hashed):
    """Add the record, answer pending, to the open transaction (called just before its commit)."""
    db.session.add(IdempotencyRecord(scope=scope, key=key, request_hash=hashed, response={}, status_code=PENDING))


def store_answer(scope, key, hashed, response, status_code):
    """Fill in the answer of a reserved record (or store it, when the work committed nothing)."""
    record = db.session.get(IdempotencyRecord, (scope, key))
    if record is None:
        record = IdempotencyRecord(scope=scope, key=key, request_hash=hashed)
        db.session.add(record)
    record.response, record.status_code = response, status_code
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent first attempt stored its own answer: it stands
        db.session.rollback()


def remember(scope, key, body, response, status_code):
    """Store the answer in the open transaction (the caller commits)."""
    if key is not None:
        db.session.add(
            IdempotencyRecord(
                scope=scope, key=key, request_hash=request_hash(body), response=response, status_code=status_code
            )
        )


def commit_remembered(scope, key, body, answer, status_code):
    """Remember the first answer with the work, then commit: (answer, status). When a concurrent
    first attempt with the same key committed first, answer as it did."""
    remember(scope, key, body, answer, status_code)
    try:
        commit()
    except Exception as exc:
        if not is_race(exc):
            raise
        rollback()
        return replay(scope, key, body)
    return answer, status_code


def is_race(exc):
    """True when a commit failed because a concurrent request stored the same key first."""
    return isinstance(exc, IntegrityError) and "idempotency_records" in str(exc.orig)


def prune(now=None):
    """Forget keys older than IDEMPOTENCY_TTL_HOURS, in batches."""
    cutoff = (now or utcnow()) - timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    return delete_in_batches(IdempotencyRecord, IdempotencyRecord.created_at < cutoff)
