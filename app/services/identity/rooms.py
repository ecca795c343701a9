"""A user's sockets follow their memberships: the rooms computed from the committed state."""

from app.services.identity import principals
from app.services.realtime import membership
from app.services.realtime.rooms import rooms_for


def refresh_rooms(user_id):
    """Move every open socket of the user, on every web process, into exactly rooms_for(user);
    a user who is gone or inactive is disconnected instead, and a socket whose token names
    another role than the user's now is ended (a demoted admin leaves `admins` at once).
    Call after the commit."""
    user = principals.from_database(user_id)  # memberships and enrolments as committed
    if user is None or not user.is_active:
        return membership.disconnect_user(user_id)
    membership.move_to_rooms(user_id, rooms_for(user), role=user.role.value)
