"""Sign-up, login, refresh and logout."""

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from app.models import Role
from app.services import tokens, users


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
    """Revoke the presented token, and the caller's refresh token if one is given."""
    tokens.revoke(token_payload)
    if refresh_token:
        payload = decode_token(refresh_token, allow_expired=True)
        if payload.get("sub") == str(user.id) and payload.get("type") == "refresh":
            tokens.revoke(payload)
