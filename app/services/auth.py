"""Sign-up, login, refresh and logout."""

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from app.models import Role
from app.services import tokens, users
from app.services.errors import Invalid


def register_student(email, password, name):
    """Self sign-up always makes a student, whatever the body says."""
    return users.create_user(email, password, name, Role.STUDENT.value)


def login(email, password):
    user = users.authenticate(email, password)
    return {
        "access_token": create_access_token(identity=user),
        "refresh_token": create_refresh_token(identity=user),
        "user": user,
    }


def refresh(user):
    return {"access_token": create_access_token(identity=user)}


def logout(token_payload, user, refresh_token=None):
    """Revoke the presented token, and the caller's refresh token if one is given. The
    refresh token is checked first: a bad one revokes nothing (422)."""
    refresh_payload = _own_refresh_token(refresh_token, user) if refresh_token is not None else None
    tokens.revoke(token_payload)
    if refresh_payload is not None:
        tokens.revoke(refresh_payload)


def _own_refresh_token(refresh_token, user):
    try:
        payload = decode_token(refresh_token, allow_expired=True)
    except Exception:  # PyJWT's many errors: its messages are not for clients
        payload = None
    if not payload or payload.get("sub") != str(user.id) or payload.get("type") != "refresh":
        raise Invalid(
            "invalid_refresh_token",
            "refresh_token is not a refresh token of this account.",
            {"refresh_token": ["Not a refresh token of this account."]},
        )
    return payload
