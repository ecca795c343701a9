"""An admin's changes to an account, with everything that follows from them."""

from app.models import Role
from app.services.identity.users import get_user
from app.services.portal import mentor_metrics
from app.services.realtime import membership
from app.services.shared.transaction import after_commit, commit


def set_active(user_id, active):
    """Activate or deactivate; a deactivated user's open sockets end at once, on every web process."""
    user = get_user(user_id)
    user.is_active = active
    if user.role == Role.STUDENT:
        mentor_metrics.changed(user.mentor_id)  # the active-students figure moves
    if not active:
        after_commit(lambda: membership.disconnect_user(user.id))
    commit()
    return user
