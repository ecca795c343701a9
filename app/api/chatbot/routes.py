"""Chatbot integration: intents, with crisis alerts."""

import hashlib
import hmac
from functools import wraps

from flask import current_app, g, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from flask_smorest import Blueprint

from app.api.limits import caller
from app.extensions import limiter
from app.schemas.chat import IntentResultSchema, IntentSchema
from app.services import intents
from app.services.errors import Unauthorized

blp = Blueprint("chatbot", __name__, url_prefix="/chatbot", description="Chatbot integration")


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
@blp.response(201, IntentResultSchema)
def post_intent(body):
    """Store a classified chatbot message; a crisis alerts the student's mentor at once."""
    answer, status = intents.record(g.chatbot_caller, g.chatbot_scope, body, request.headers.get("Idempotency-Key"))
    return answer, status
