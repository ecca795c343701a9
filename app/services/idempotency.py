"""Idempotency-Key: a retried request gets the first answer and creates nothing new.

The record is written in the same transaction as the work it answers for, so either both
exist or neither. Two concurrent first attempts race on the primary key; the loser rolls
back and replays the winner's answer. The same key with a different body is a 409.
"""

import hashlib
import json
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IdempotencyRecord, utcnow
from app.services.errors import Conflict, Invalid
from app.services.pruning import delete_in_batches

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


def replay(scope, key, body):
    """The stored (response, status) for this key, or None if it is new."""
    if key is None:
        return None
    record = db.session.get(IdempotencyRecord, (scope, key))
    if record is None:
        return None
    if record.request_hash != request_hash(body):
        raise Conflict("idempotency_key_reused", "This Idempotency-Key was already used with a different request body.")
    return record.response, record.status_code


def remember(scope, key, body, response, status_code):
    """Store the answer in the open transaction (the caller commits)."""
    if key is not None:
        db.session.add(
            IdempotencyRecord(
                scope=scope, key=key, request_hash=request_hash(body), response=response, status_code=status_code
            )
        )


def is_race(exc):
    """True when a commit failed because a concurrent request stored the same key first."""
    return isinstance(exc, IntegrityError) and "idempotency_records" in str(exc.orig)


def prune(now=None):
    """Forget keys older than IDEMPOTENCY_TTL_HOURS, in batches."""
    cutoff = (now or utcnow()) - timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    return delete_in_batches(IdempotencyRecord, IdempotencyRecord.created_at < cutoff)
