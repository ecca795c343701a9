"""Sessions, their status and attendance."""

from flask_jwt_extended import current_user

from app.api.auth_helpers import role_required
from app.api.dump_context import as_caller_sees, caller_rules, dump_context
from app.api.portal import blp
from app.schemas.schedules import (
    AttendanceMarkSchema,
    ScheduleCreateSchema,
    ScheduleEnvelope,
    SchedulePageSchema,
    ScheduleQuerySchema,
    ScheduleStatusSchema,
    ScheduleUpdateSchema,
)
from app.services import attendance, schedules

ANYONE = ("student", "mentor", "admin")


@blp.post("/schedules")
@role_required("mentor")
@blp.arguments(ScheduleCreateSchema)
@as_caller_sees
@blp.response(201, ScheduleEnvelope)
def create_schedule(body):
    """Book a session with a student, a cohort (group session) or nobody yet; 409 on an overlap."""
    return {"schedule": schedules.create(current_user, **body)}


@blp.get("/schedules")
@role_required(*ANYONE)
@blp.arguments(ScheduleQuerySchema, location="query")
@dump_context(lambda query: {**caller_rules(), "tz": query["tz"]})
@blp.response(200, SchedulePageSchema)
def list_schedules(query):
    """Sessions the caller may see; ?date=YYYY-MM-DD&tz= gives that day hour by hour."""
    query.pop("before_id", None)
    return schedules.list_schedules(current_user, **query)


@blp.get("/schedules/<int:schedule_id>")
@role_required(*ANYONE)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def get_schedule(schedule_id):
    """One session with its attendance."""
    return {"schedule": schedules.visible_schedule(current_user, schedule_id)}


@blp.put("/schedules/<int:schedule_id>")
@role_required("mentor", "admin")
@blp.arguments(ScheduleUpdateSchema)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def update_schedule(body, schedule_id):
    """Change a session's title, description, focus stack or times; 409 on an overlap."""
    return {"schedule": schedules.update(current_user, schedule_id, body)}


@blp.delete("/schedules/<int:schedule_id>")
@role_required("mentor", "admin")
@blp.response(204)
def delete_schedule(schedule_id):
    """Remove a session (the audit log keeps it)."""
    schedules.delete(current_user, schedule_id)


@blp.patch("/schedules/<int:schedule_id>/status")
@role_required("mentor", "admin")
@blp.arguments(ScheduleStatusSchema)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def set_schedule_status(body, schedule_id):
    """Mark a session scheduled, completed or canceled."""
    return {"schedule": schedules.set_status(current_user, schedule_id, body["status"])}


@blp.post("/schedules/<int:schedule_id>/attendance")
@role_required(*ANYONE)
@blp.arguments(AttendanceMarkSchema)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def mark_attendance(body, schedule_id):
    """Mark attendance: the mentor for any attendee, a student for themselves while the session runs."""
    return {"schedule": attendance.mark(current_user, schedule_id, **body)}
