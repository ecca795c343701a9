"""What a student does on the dashboard: recorded, and their dashboard queued for a refresh."""

from app.extensions import db
from app.models import Entry, StudentAction, Task, iso
from app.models.dashboard import ACTIONS, ALIASES
from app.services.dashboard.queue import queue_refresh
from app.services.shared.errors import Invalid
from app.services.shared.transaction import commit


def _check_owned(student, model, key, value, errors):
    if value is None:
        return
    row = db.session.get(model, value)
    if row is None or row.student_id != student.id:
        errors[key] = [f"No {key.removesuffix('_id')} with id {value} of yours."]


def record(student, action, **data):
    """Store the action and queue the student's refresh. Returns the 202 answer (with Pulse's
    name of the action). A mission id that is a number must be one of the student's tasks;
    a string id is an outside mission service's and is stored as it came."""
    action = ALIASES.get(action, action)
    errors = {}
    if isinstance(data.get("mission_id"), int):
        _check_owned(student, Task, "mission_id", data["mission_id"], errors)
    _check_owned(student, Entry, "entry_id", data.get("entry_id"), errors)
    if errors:
        raise Invalid(details=errors)
    priority = ACTIONS[action]
    if data.get("estimated_completion") is not None:
        data["estimated_completion"] = iso(data["estimated_completion"])
    db.session.add(StudentAction(student_id=student.id, action=action, data=data))
    queue_refresh([student.id], f"action:{action}", priority)
    commit()
    return {"status": "queued", "action": action, "priority": priority}
