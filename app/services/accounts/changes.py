"""An admin's or an operator's changes to an account (name, role, active flag, tier), with
everything that follows from them. The API (PATCH /admin/users/<id>) and the CLI (`flask
users set-role`, `activate`, `deactivate`, `refresh-identity`) all come through here, so a
change takes effect everywhere within a second:

- HTTP: the identity cache is rewritten from the database right after the commit (the ORM
  hook in identity.principals), and a token whose role claim is not the user's role now,
  or that was issued before the last deactivation, is refused (principals.speaks_for);
- sockets: refresh_rooms after the commit ends the sockets of a deactivated user or of a
  token naming the old role ("role_changed") and moves the others into their rooms;
- SSE: the dashboard streams hear the same packets and end (dashboard.stream.Hub).
"""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User, utcnow
from app.services.identity import principals, rooms
from app.services.identity.users import get_user
from app.services.portal import mentor_metrics
from app.services.shared.errors import Conflict, Invalid
from app.services.shared.transaction import after_commit, commit

FIELDS = ("name", "role", "is_active", "tier")


def update(user_id, changes):
    """Apply any of `name`, `role`, `is_active`, `tier` to the user; returns the user."""
    user = get_user(user_id)
    if "role" in changes or "is_active" in changes:
        _lock_the_admins()
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())  # one change at a time
    db.session.refresh(user)
    was_student, mentor_before = user.role == Role.STUDENT, user.mentor_id
    if "name" in changes:
        if not changes["name"].strip():
            raise Invalid(details={"name": ["A name is required."]})
        user.name = changes["name"].strip()
    if "tier" in changes:
        user.tier = changes["tier"]
    role = Role(changes["role"]) if "role" in changes else user.role
    active = changes.get("is_active", user.is_active)
    access_changes = role != user.role or active != user.is_active
    if access_changes:
        _keep_an_admin(user, role, active)
    if role != user.role:
        _change_role(user, role)
    if active != user.is_active:
        user.is_active = active
        if not active:
            # tokens issued until now stay refused after a later reactivation
            user.tokens_valid_after = utcnow()
    if access_changes:
        if was_student or user.role == Role.STUDENT:
            mentor_metrics.changed(mentor_before, user.mentor_id)  # the active-students figure moves
        after_commit(lambda: rooms.refresh_rooms(user.id))
    commit()
    return user


def set_active(user_id, active):
    """Activate or deactivate; a deactivated user's open sockets and streams end at once."""
    return update(user_id, {"is_active": active})


def refresh_identity(user_id):
    """After a change made outside the application (SQL): rewrite the user's cached identity
    from the database and put their sockets and streams in line with it (a deactivated
    user's end, a socket whose token names another role ends). 404 for no such user."""
    user = get_user(user_id)
    db.session.refresh(user)  # the row as changed by hand, not as this session last saw it
    if not user.is_active:
        # An inactive user cannot have been issued a token since: every one they hold is from
        # before the deactivation, and stays refused after a later reactivation.
        user.tokens_valid_after = utcnow()
        commit()
    principals.rewrite(user_id)
    rooms.refresh_rooms(user_id)


def _change_role(user, role):
    if user.role == Role.MENTOR:
        students = db.session.scalar(select(func.count(User.id)).where(User.mentor_id == user.id))
        if students:
            raise Conflict(
                "mentor_has_students",
                f"This mentor still has {students} student(s); assign them another mentor first.",
            )
    if user.role == Role.STUDENT:
        user.mentor_id = None  # only students have a mentor
    user.role = role


def _lock_the_admins():
    """Access changes wait for each other on the active admins' rows, always taken first and
    in id order (no deadlock): two admins demoting each other at once would otherwise each
    count the other as the admin who stays."""
    db.session.execute(
        select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id).with_for_update()
    )


def _keep_an_admin(user, role, active):
    """Refuse to demote or deactivate the last active admin: nobody could undo it by the API."""
    if user.role != Role.ADMIN or not user.is_active or (role == Role.ADMIN and active):
        return
    others = db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id)
    )
    if not others:
        raise Conflict("last_admin", "This is the last active admin; make another admin first.")
