"""Idempotency-Key on the POSTs that create something: one decorator, the chatbot's rules.

Put it between @blp.arguments and @blp.response, so a body that fails validation is a 422
that stores nothing and the stored answer is the rendered JSON:

    @blp.post("/entries")
    @role_required("student")
    @blp.arguments(EntryCreateSchema)
    @idempotent
    @blp.response(201, EntryEnvelope)
    def create_entry(body): ...

Same key, same method, path and JSON body -> the first answer with its status (and the
header Idempotent-Replayed: true), nothing done again. Same key, another request -> 409
idempotency_key_reused. Keys are per caller (scope user:<id>).

Every POST that creates something carries it (tests/api/test_idempotency_everywhere.py walks
the URL map: a new creating POST without it, and not listed there as exempt with a reason,
fails the suite). A route whose service honours the key itself (chatbot intents, payments)
says so with @honours_idempotency_key.
"""

from functools import wraps

from flask import jsonify, request
from flask_jwt_extended import current_user

from app.services.shared import idempotency, transaction


def _replayed(answer, status):
    response = jsonify(answer)
    response.status_code = status
    response.headers["Idempotent-Replayed"] = "true"
    return response


MARK = "honours_idempotency_key"  # functools.wraps carries it up through the outer decorators


def honours_idempotency_key(fn):
    """Mark a route whose service applies the Idempotency-Key itself (idempotency.commit_remembered)."""
    setattr(fn, MARK, True)
    return fn


def idempotent(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return fn(*args, **kwargs)
        idempotency.check_key(key)
        scope = f"user:{current_user.id}"
        hashed = idempotency.request_hash(
            {"method": request.method, "path": request.path, "body": request.get_json(silent=True)}
        )
        stored = idempotency.lookup(scope, key, hashed)
        if stored is not None:
            return _replayed(*stored)
        # Reserved in the work's own transaction: the work and its record commit together.
        transaction.before_commit(lambda: idempotency.reserve(scope, key, hashed))
        try:
            response = fn(*args, **kwargs)
        except Exception as exc:
            if not idempotency.is_race(exc):
                raise
            transaction.rollback()  # a concurrent first attempt won: answer as it did
            stored = idempotency.lookup(scope, key, hashed)
            if stored is None:
                raise
            return _replayed(*stored)
        finally:
            transaction.drop_before_commit()
        if 200 <= response.status_code < 300:
            idempotency.store_answer(scope, key, hashed, response.get_json(), response.status_code)
        return response

    return honours_idempotency_key(wrapper)
