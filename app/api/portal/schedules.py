"""Sessions, their status and attendance."""

from flask_jwt_extended import current_user

from app.api.auth_helpers import role_required
from app.api.idempotent import idempotent
from app.api.portal import blp
from app.schemas.portal import (
    AttendanceMarkSchema,
    ScheduleCreateSchema,
    ScheduleEnvelope,
    SchedulePageSchema,
    ScheduleQuerySchema,
    ScheduleStatusSchema,
    ScheduleUpdateSchema,
)
from app.services import attendance, schedule_list, schedules

ANYONE = ("student", "mentor", "admin")


@blp.post("/schedules")
@role_required("mentor")
@blp.arguments(ScheduleCreateSchema)
@idempotent
@blp.response(201, ScheduleEnvelope)
def create_schedule(body):
    """Book a session with a student, a cohort (group session) or nobody yet; 409 on an overlap."""
    return {"schedule": schedules.to_dict(schedules.create(current_user, **body), viewer=current_user)}


@blp.get("/schedules")
@role_required(*ANYONE)
@blp.arguments(ScheduleQuerySchema, location="query")
@blp.response(200, SchedulePageSchema)
def list_schedules(query):
    """Sessions the caller may see, newest start first; ?from=&to= (dates or times), ?before_id= pages;
    ?date=YYYY-MM-DD&tz= gives that day hour by hour instead."""
    return schedule_list.list_schedules(current_user, **query)


@blp.get("/schedules/<int:schedule_id>")
@role_required(*ANYONE)
@blp.response(200, ScheduleEnvelope)
def get_schedule(schedule_id):
    """One session with its attendance."""
    return {"schedule": schedules.to_dict(schedules.visible_schedule(current_user, schedule_id), viewer=current_user)}


@blp.put("/schedules/<int:schedule_id>")
@role_required("mentor", "admin")
@blp.arguments(ScheduleUpdateSchema)
@blp.response(200, ScheduleEnvelope)
def update_schedule(body, schedule_id):
    """Change a session's details, times or audience (student_id or cohort_id); 409 on an overlap."""
    return {"schedule": schedules.to_dict(schedules.update(current_user, schedule_id, body), viewer=current_user)}


@blp.delete("/schedules/<int:schedule_id>")
@role_required("mentor", "admin")
@blp.response(204)
def delete_schedule(schedule_id):
    """Remove a session (the audit log keeps it)."""
    schedules.delete(current_user, schedule_id)


@blp.patch("/schedules/<int:schedule_id>/status")
@role_required("mentor", "admin")
@blp.arguments(ScheduleStatusSchema)
@blp.response(200, ScheduleEnvelope)
def set_schedule_status(body, schedule_id):
    """Mark a session scheduled, completed or canceled."""
    return {
        "schedule": schedules.to_dict(
            schedules.set_status(current_user, schedule_id, body["status"]), viewer=current_user
        )
    }


@blp.post("/schedules/<int:schedule_id>/attendance")
@role_required(*ANYONE)
@blp.arguments(AttendanceMarkSchema)
@idempotent
@blp.response(200, ScheduleEnvelope)
def mark_attendance(body, schedule_id):
    """Mark attendance: the mentor for any attendee, a student for themselves while the session runs."""
    return {"schedule": schedules.to_dict(attendance.mark(current_user, schedule_id, **body), viewer=current_user)}
