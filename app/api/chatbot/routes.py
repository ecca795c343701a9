"""Chatbot integration: intents, with crisis alerts."""

import hashlib
import hmac
from functools import wraps

from flask import current_app, g, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from flask_smorest import Blueprint

from app.api.idempotent import honours_idempotency_key
from app.api.limits import caller
from app.extensions import limiter
from app.schemas.chat import IntentResultSchema, IntentSchema
from app.services.crisis import intents
from app.services.shared import idempotency
from app.services.shared.errors import Unauthorized

blp = Blueprint(
    "chatbot",
    __name__,
    url_prefix="/chatbot",
    description=(
        "Chatbot integration. The caller is the chatbot with `X-Chatbot-Key: <key>` (keys from "
        "`CHATBOT_API_KEYS`; then `student_id` is required), or a student with their own Bearer "
        "token (then `student_id` may be left out and may only be their own, else 403). Rate "
        "limited per service key or token (`CHATBOT_RATE_LIMIT`). `POST /intents` body: "
        "`student_id` (int), `message` (1-4000 characters), `intent` (the chatbot's label), "
        "`confidence` (0-1), optional `severity` (`low`, `medium`, `high`, `critical`); unknown "
        'fields are refused. Answer 201 `{"id", "intent", "crisis", "alert": '
        '{"id","severity","status"} | null, "concern": {"id","status"} | null}`: `concern` is the '
        "review tier (risk signals without a clear crisis, never set with `crisis`). An "
        "`Idempotency-Key` header (1-128 characters) "
        "makes a retry return the first answer and create nothing; the same key with another body "
        "is 409 `idempotency_key_reused`. When a message is a crisis and what follows: "
        "docs/crisis-alerts.md."
    ),
)


def _caller():
    """(None, scope) for the chatbot's service key, (student, scope) for a student's token."""
    key = request.headers.get("X-Chatbot-Key")
    if key is not None:
        if not any(hmac.compare_digest(key.encode(), k.encode()) for k in current_app.config["CHATBOT_API_KEYS"]):
            raise Unauthorized("invalid_service_key", "The X-Chatbot-Key is not valid.")
        return None, "chatbot:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    verify_jwt_in_request()
    return current_user, f"user:{current_user.id}"


def chatbot_auth(fn):
    """Authenticate before the body is parsed, so an anonymous caller learns nothing but 401."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        g.chatbot_caller, g.chatbot_scope = _caller()
        return fn(*args, **kwargs)

    return wrapper


@blp.post("/intents")
# Keyed on the verified caller (user id or service key), so new tokens give no fresh bucket.
@limiter.limit(lambda: current_app.config["CHATBOT_RATE_LIMIT"], key_func=caller)
@chatbot_auth
@blp.doc(security=[{"chatbotKey": []}, {"bearerAuth": []}])
@blp.arguments(IntentSchema)
@honours_idempotency_key  # intents.record applies it, scoped to the caller
@blp.response(201, IntentResultSchema)
def post_intent(body):
    """Store a classified chatbot message; a crisis alerts the student's mentor at once."""
    result = intents.record(g.chatbot_caller, g.chatbot_scope, body, request.headers.get("Idempotency-Key"))
    return result[0], result[1], idempotency.replay_headers(result)
