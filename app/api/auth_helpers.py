"""Who is asking: JWT error loaders in the contract's shape, and the role decorator."""

import time
from functools import wraps

from flask import g
from flask_jwt_extended import verify_jwt_in_request
from werkzeug.local import LocalProxy

from app.api.errors import error_response
from app.extensions import db
from app.models import Role, User
from app.services.shared.errors import Forbidden


def current_principal():
    """The caller's cached identity (role, active, cohorts, tier, profile): no database read."""
    return g.pulse_principal


def _lazy_row(user_id):
    """current_user: the User row, loaded on first use only (cheap endpoints never touch it)."""
    loaded = []

    def row():
        if not loaded:
            loaded.append(db.session.get(User, user_id))
        return loaded[0]

    return row


def role_required(*roles):
    """Require a valid access token whose (current, database) role is one of `roles`."""
    allowed = {Role(r) for r in roles}

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            verify_jwt_in_request()
            if current_principal().role not in allowed:
                raise Forbidden(message="Your role may not use this endpoint.")
            return fn(*args, **kwargs)

        return wrapper

    return decorator


def register_jwt_handlers(jwt):
    from app.services.identity import principals, tokens

    @jwt.user_identity_loader
    def _identity(user):
        return str(user.id)

    @jwt.additional_claims_loader
    def _claims(user):
        # iat to the microsecond (a NumericDate may be fractional): a token issued in the same
        # second as, but after, a reactivation must not count as issued before the deactivation.
        return {"role": user.role.value, "iat": time.time()}

    @jwt.user_lookup_loader
    def _lookup(_header, payload):
        # An inactive or deleted user's tokens stop working at once, and so do tokens whose
        # role claim is not the user's role now or that were issued before the last
        # deactivation (principals.speaks_for). The check reads the identity cache; the User
        # row is loaded only when a view touches current_user.
        principal = principals.for_token(payload)
        if principal is None:
            return None
        g.pulse_principal = principal
        return LocalProxy(_lazy_row(principal.id))

    @jwt.token_in_blocklist_loader
    def _revoked(_header, payload):
        sub = str(payload.get("sub", ""))
        # the user's cached identity comes back in the same round trip, for _lookup next
        return tokens.is_revoked(payload["jti"], int(sub) if sub.isdigit() else None)

    @jwt.user_lookup_error_loader
    def _lookup_error(_header, payload):
        user_id = principals.subject_id(payload)
        principal = principals.get(user_id) if user_id is not None else None
        if principal is not None and principal.is_active:  # the account is fine: the token is stale
            return error_response(
                401, "token_invalid", "This token predates a change to the account (role or access); log in again."
            )
        return error_response(401, "account_inactive", "This account is inactive or no longer exists.")

    @jwt.unauthorized_loader
    def _missing(reason):
        return error_response(401, "token_missing", "Send an access token: Authorization: Bearer <token>.")

    @jwt.invalid_token_loader
    def _invalid(reason):
        return error_response(401, "token_invalid", f"The token is not valid: {reason}.")

    @jwt.expired_token_loader
    def _expired(_header, _payload):
        return error_response(401, "token_expired", "The token has expired; refresh or log in again.")

    @jwt.revoked_token_loader
    def _revoked_error(_header, _payload):
        return error_response(401, "token_revoked", "The token has been revoked; log in again.")

    @jwt.needs_fresh_token_loader
    def _not_fresh(_header, _payload):
        return error_response(401, "fresh_token_required", "Log in again to do this.")

    @jwt.token_verification_failed_loader
    def _claims_failed(_header, _payload):
        return error_response(401, "token_invalid", "The token's claims are not valid.")
