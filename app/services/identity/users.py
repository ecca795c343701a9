"""Users: create, look up, authenticate, and a user's own profile.

Changes an admin makes to an account (active, mentor) ripple into other domains and live
in app.services.accounts."""

import functools
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import Role, User
from app.services.identity import principals
from app.services.shared.errors import Conflict, NotFound, Unauthorized
from app.services.shared.transaction import commit


def get_by_email(email):
    """The user with this email, as the database has it now (a row this session already held
    is refreshed: a login must see a change made outside the application)."""
    query = select(User).where(func.lower(User.email) == email.strip().lower())
    return db.session.scalar(query.execution_options(populate_existing=True))


def create_user(email, password, name, role):
    """Create a user of any role; 409 when the email is taken."""
    email = email.strip().lower()
    if get_by_email(email) is not None:
        raise Conflict("email_taken", "An account with this email already exists.", {"email": ["Already registered."]})
    user = User(email=email, name=name.strip(), role=Role(role), is_active=True)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "email_taken", "An account with this email already exists.", {"email": ["Already registered."]}
        ) from None
    return user


def has_admin():
    """Whether any admin account exists (the first deploy's post-deploy step makes one)."""
    return db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is not None


@functools.cache
def _dummy_hash():
    """A hash of the same kind as real ones, so an unknown email costs the same time."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(email, password):
    user = get_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same work as a wrong password: no enumeration by timing
        raise Unauthorized("invalid_credentials", "Email or password is wrong.")
    if not user.check_password(password):
        raise Unauthorized("invalid_credentials", "Email or password is wrong.")
    if not user.is_active:
        raise Unauthorized("account_inactive", "This account is inactive.")
    return user


def active_user_for_token(payload):
    """The token's user (read from the database) if the token still speaks for them
    (principals.speaks_for: active, same role, issued after the last deactivation), else None."""
    user_id = principals.subject_id(payload)
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user if principals.speaks_for(payload, user) else None


def get_user(user_id, role=None):
    user = db.session.get(User, user_id)
    if user is None or (role is not None and user.role != Role(role)):
        label = role or "user"
        raise NotFound(f"{label}_not_found", f"No {label} with id {user_id}.")
    return user


def names(user_ids):
    """{id: name} for these users (one query), for pages that show who did what."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# Called inside the rename's transaction with the user: domains that keep a copy of a name
# (performance's cached section figures, their CSV and PDF exports) mark it stale there.
# Registered at start-up (identity sits below those domains and cannot import them).
RENAME_HOOKS = []


def on_rename(fn):
    """Register fn(user), run in the transaction of every change of a user's name (once per fn)."""
    if fn not in RENAME_HOOKS:
        RENAME_HOOKS.append(fn)


def update_profile(user, name=None, timezone=None):
    """A user's own name and time zone (validated as an IANA name by the schema)."""
    if name is not None and name.strip() != user.name:
        user.name = name.strip()
        for hook in RENAME_HOOKS:
            hook(user)
    if timezone is not None:
        user.timezone = timezone
    commit()
    return user
