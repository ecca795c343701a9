"""Reading the audit log: only for entities the caller may see."""

from app.models import Role
from app.services.activity import feed as activity
from app.services.identity import access
from app.services.portal import entries, schedules, tasks
from app.services.shared.errors import DomainError, NotFound

ENTITIES = {
    "entry": entries.visible_entry,
    "task": tasks.visible_task,
    "schedule": schedules.visible_schedule,
}


def log_for(user, entity_type, entity_id):
    """The entity's changes, oldest first; 404 for an entity the caller may not see.
    A deleted entity's record stays readable for admins."""
    if entity_type not in ENTITIES:
        raise NotFound("unknown_entity_type", f"No audit log for {entity_type!r}; use one of {sorted(ENTITIES)}.")
    try:
        ENTITIES[entity_type](user, entity_id)
    except DomainError:
        items = activity.history(entity_type, entity_id) if user.role == Role.ADMIN else []
        if not items:
            raise
        return {"items": items}
    items = activity.history(entity_type, entity_id)
    if entity_type == "schedule":
        items = [i for i in items if _attendance_visible(user, i)]
    return {"items": items}


def _attendance_visible(user, item):
    """A group session's attendance rows name students of several mentors: show each only their own."""
    if item.action != "attendance":
        return True
    student_id = (item.new_value or item.old_value or {}).get("student_id")
    return access.can_see_student_id(user, student_id)
