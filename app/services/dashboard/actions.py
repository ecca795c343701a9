"""What a student does on the dashboard: recorded, and their dashboard queued for a refresh."""

from app.extensions import db
from app.models import Entry, StudentAction, Task
from app.services.dashboard.queue import queue_refresh
from app.services.errors import Invalid
from app.services.transaction import commit

# action -> refresh priority
ACTIONS = {
    "mission_started": "normal",
    "mission_completed": "high",
    "entry_submitted": "high",
    "habit_logged": "normal",
    "goal_set": "normal",
    "session_joined": "normal",
    "resource_viewed": "low",
}


def _check_owned(student, model, key, value, errors):
    if value is None:
        return
    row = db.session.get(model, value)
    if row is None or row.student_id != student.id:
        errors[key] = [f"No {key.removesuffix('_id')} with id {value} of yours."]


def record(student, action, **data):
    """Store the action and queue the student's refresh. Returns the 202 answer."""
    errors = {}
    _check_owned(student, Task, "mission_id", data.get("mission_id"), errors)
    _check_owned(student, Entry, "entry_id", data.get("entry_id"), errors)
    if errors:
        raise Invalid(details=errors)
    priority = ACTIONS[action]
    db.session.add(StudentAction(student_id=student.id, action=action, data=data))
    queue_refresh([student.id], f"action:{action}", priority)
    commit()
    return {"status": "queued", "action": action, "priority": priority}
