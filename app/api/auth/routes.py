"""Auth: register, login, refresh, logout, me."""

from flask import current_app
from flask_jwt_extended import current_user, get_jwt, jwt_required
from flask_smorest import Blueprint

from app.api.limits import client_address, login_account_key, login_failed
from app.extensions import limiter
from app.schemas.users import (
    AccessTokenSchema,
    LoginResultSchema,
    LoginSchema,
    LogoutSchema,
    RegisterSchema,
    UserEnvelope,
)
from app.services import auth

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign-up, tokens, logout")


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
    """Create a student account (self sign-up never grants another role)."""
    return {"user": auth.register_student(**body)}


@blp.post("/login")
# Per address, generous: a classroom behind one school NAT logs in at once.
@limiter.limit(_login_limit, key_func=client_address)
# Per account, failures only: guessing one account's password stops after a few tries.
@limiter.limit(_account_limit, key_func=login_account_key, deduct_when=login_failed)
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
def login(body):
    """Exchange email and password for an access and a refresh token."""
    return auth.login(body["email"], body["password"])


@blp.post("/refresh")
@jwt_required(refresh=True)
@blp.response(200, AccessTokenSchema)
def refresh():
    """A new access token from a refresh token (sent as Bearer)."""
    return auth.refresh(current_user)


@blp.post("/logout")
@jwt_required(verify_type=False)
@blp.arguments(LogoutSchema, required=False)
@blp.response(204)
def logout(body):
    """Revoke the presented token at once (and `refresh_token` from the body, if sent)."""
    auth.logout(get_jwt(), current_user, (body or {}).get("refresh_token"))


@blp.get("/me")
@jwt_required()
@blp.response(200, UserEnvelope)
def me():
    """The caller's own account."""
    return {"user": current_user}
