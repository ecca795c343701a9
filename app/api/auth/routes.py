"""Auth: register, login, refresh, logout, me."""

import functools

from flask import current_app
from flask_jwt_extended import current_user, get_jwt, jwt_required
from flask_smorest import Blueprint

from app.api.auth_helpers import current_principal
from app.api.gate import own_limits_only
from app.api.limits import LOGIN_ACCOUNT_SCOPE, client_address, login_account_key, login_failed
from app.extensions import limiter
from app.schemas.users import (
    AccessTokenSchema,
    LoginResultSchema,
    LoginSchema,
    LogoutSchema,
    MeUpdateSchema,
    RegisterSchema,
    UserEnvelope,
    UserSchema,
)
from app.services.identity import auth, users

_ME = UserSchema()

blp = Blueprint(
    "auth",
    __name__,
    url_prefix="/auth",
    description=(
        "Sign-up, tokens, logout. Send the access token as `Authorization: Bearer <token>`; "
        "access tokens live `JWT_ACCESS_MINUTES` (15), refresh tokens `JWT_REFRESH_DAYS` (30). "
        "Revocation: revoked token ids are written to the database first, then to Redis (with the "
        "token's remaining lifetime). Redis answers the check while it holds a marker that its "
        "set is complete; after a Redis restart the set is reloaded from the database; if neither "
        "answers, the token is refused."
    ),
)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


@blp.post("/register")
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], key_func=client_address)
@blp.doc(security=[])
@blp.arguments(RegisterSchema)
@blp.response(201, UserEnvelope)
def register(body):
    """Create a student account (self sign-up never grants another role).

    Body `email`, `password` (8+ characters), `name` → 201 `{"user"}`, always a student: a `role`
    field is refused (422). Rate limited per client address (`REGISTER_RATE_LIMIT`).
    """
    return {"user": auth.register_student(**body)}


@blp.post("/login")
# Per address, generous: a classroom behind one school NAT logs in at once.
@limiter.limit(_login_limit, key_func=client_address)
# Per account, failures only: guessing one account's password stops after a few tries.
# Shared (by scope) with the /admin/rq sign-in, so neither confirms a password for the other.
@limiter.shared_limit(_account_limit, LOGIN_ACCOUNT_SCOPE, key_func=login_account_key, deduct_when=login_failed)
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
@own_limits_only  # the two limits above only: logins do not use up the address's anonymous limit
def login(body):
    """Exchange email and password for an access and a refresh token.

    Answers `{"access_token", "refresh_token", "user"}`. Rate limited per client address
    (`LOGIN_RATE_LIMIT`) and per account's failed attempts (`LOGIN_ACCOUNT_RATE_LIMIT`), 429 with
    `Retry-After`; not counted against the anonymous limit.
    """
    return auth.login(body["email"], body["password"])


@blp.post("/refresh")
@jwt_required(refresh=True)
@blp.response(200, AccessTokenSchema)
def refresh():
    """A new access token from a refresh token (sent as Bearer).

    Answers `{"access_token"}`.
    """
    return auth.refresh(current_user)


@blp.post("/logout")
@jwt_required(verify_type=False)
@blp.arguments(LogoutSchema, required=False)
@blp.response(204)
def logout(body):
    """Revoke the presented token at once (and `refresh_token` from the body, if sent).

    Answers 204; the next use of a revoked token is 401 `token_revoked`, on HTTP and at socket
    connect.
    """
    auth.logout(get_jwt(), current_user, (body or {}).get("refresh_token"))


@blp.get("/me")
@jwt_required()
@blp.response(200, UserEnvelope)
def me():
    """The caller's own account."""
    # From the identity cache: no database read. The body is built here, not by the response
    # wrapper (whose extra work was a fifth of this, the cheapest signed-in call), and kept
    # per identity: a Principal is immutable, and a changed account is a new one.
    return current_app.response_class(_me_body(current_principal()), mimetype=current_app.json.mimetype)


@functools.lru_cache(maxsize=2048)
def _me_body(principal):
    return current_app.json.response({"user": _ME.dump(principal)}).get_data()


@blp.patch("/me")
@jwt_required()
@blp.arguments(MeUpdateSchema)
@blp.response(200, UserEnvelope)
def update_me(body):
    """Change the caller's own name or time zone (an IANA name such as Europe/Berlin)."""
    return {"user": users.update_profile(current_user, **body)}
