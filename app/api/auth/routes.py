"""Auth: register, login, refresh, logout, me."""

from flask import current_app
from flask_jwt_extended import current_user, get_jwt, jwt_required
from flask_smorest import Blueprint

from app.extensions import limiter
from app.schemas.users import (
    AccessTokenSchema,
    LoginResultSchema,
    LoginSchema,
    LogoutSchema,
    MeUpdateSchema,
    RegisterSchema,
    UserEnvelope,
)
from app.services import auth, users

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign-up, tokens, logout")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.post("/register")
@limiter.limit(_login_limit)
@blp.arguments(RegisterSchema)
@blp.response(201, UserEnvelope)
def register(body):
    """Create a student account (self sign-up never grants another role)."""
    return {"user": auth.register_student(**body)}


@blp.post("/login")
@limiter.limit(_login_limit)
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


@blp.patch("/me")
@jwt_required()
@blp.arguments(MeUpdateSchema)
@blp.response(200, UserEnvelope)
def update_me(body):
    """Change the caller's own name or time zone (an IANA name such as Europe/Berlin)."""
    return {"user": users.update_profile(current_user, **body)}
