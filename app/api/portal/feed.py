"""The activity feed and the audit log."""

from flask_jwt_extended import current_user

from app.api.auth_helpers import role_required
from app.api.portal import blp
from app.schemas.portal import ActivityPageSchema, ActivityQuerySchema, AuditPageSchema
from app.services.activity import feed as activity
from app.services.portal import audit


@blp.get("/activity-feed")
@role_required("student", "mentor", "admin")
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, ActivityPageSchema)
def activity_feed(query):
    """What happened around the caller's students (or to the caller), newest first; ?type= filters.

    Who: students, mentors and admins.
    `?type=` (e.g. `entry:created`), `?student_id=`; page with `?before_id=` and `?limit=`.
    """
    return activity.feed_for(current_user, **query)


@blp.get("/audit-logs/<string:entity_type>/<int:entity_id>")
@role_required("student", "mentor", "admin")
@blp.response(200, AuditPageSchema)
def audit_log(entity_type, entity_id):
    """Every change to an entry, task or schedule the caller may see, oldest first.

    Who: students, mentors and admins.
    `entity_type` is `entry`, `task` or `schedule`; `old_value` and `new_value` hold only the fields
    that changed. 404 for an entity the caller may not see; a deleted one's record stays readable
    for admins.
    """
    return audit.log_for(current_user, entity_type, entity_id)
