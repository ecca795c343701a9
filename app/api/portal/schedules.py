"""Sessions, their status and attendance."""

from flask_jwt_extended import current_user

from app.api.auth_helpers import role_required
from app.api.dump_context import as_caller_sees, caller_rules, dump_context
from app.api.idempotent import idempotent
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
from app.services.portal import attendance, schedule_list, schedules

ANYONE = ("student", "mentor", "admin")


@blp.post("/schedules")
@role_required("mentor")
@blp.arguments(ScheduleCreateSchema)
@idempotent
@as_caller_sees
@blp.response(201, ScheduleEnvelope)
def create_schedule(body):
    """Book a session with a student, a cohort (group session) or nobody yet; 409 on an overlap.

    Who: mentors.
    Body `title`, `start_time`, `end_time`, optional `student_id` **or** `cohort_id`, `description`,
    `focus_stack` → 201 `{"schedule"}`. 422 if end ≤ start; 409 `schedule_overlap` (with
    `conflicting_ids`) if the mentor already has a session then.
    """
    return {"schedule": schedules.create(current_user, **body)}


@blp.get("/schedules")
@role_required(*ANYONE)
@blp.arguments(ScheduleQuerySchema, location="query")
@dump_context(lambda query: {**caller_rules(), "tz": query["tz"]})
@blp.response(200, SchedulePageSchema)
def list_schedules(query):
    """Sessions the caller may see, newest start first; ?date=YYYY-MM-DD&tz= gives that day hour by hour.

    Who: students, mentors and admins.
    `?student_id=`, `?status=`, `?from=` and `?to=` (YYYY-MM-DD in `tz`, or ISO 8601 times) and
    `?before_id=` paging (the answer's `next_before_id`). With `?date=YYYY-MM-DD&tz=Area/City`, that
    local day's sessions by start plus `day.hours`: one slot per local hour (23 or 25 on DST days)
    listing the sessions in it. Each session gets `local_start`/`local_end` in `tz`.
    """
    return schedule_list.list_schedules(current_user, **query)


@blp.get("/schedules/<int:schedule_id>")
@role_required(*ANYONE)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def get_schedule(schedule_id):
    """One session with its attendance.

    Who: students, mentors and admins.
    The attendance rows of the students the caller may see (in a group session, a mentor sees their
    own students).
    """
    return {"schedule": schedules.visible_schedule(current_user, schedule_id)}


@blp.put("/schedules/<int:schedule_id>")
@role_required("mentor", "admin")
@blp.arguments(ScheduleUpdateSchema)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def update_schedule(body, schedule_id):
    """Change a session's details, times or audience; 409 on an overlap.

    Who: mentors and admins.
    Its mentor or an admin. `title`, `description`, `focus_stack`, `start_time`, `end_time`, and
    `student_id` or `cohort_id` to assign it after booking (same ownership and overlap checks;
    the new attendees hear `schedule:assigned`). New times are checked for overlaps again.
    """
    return {"schedule": schedules.update(current_user, schedule_id, body)}


@blp.delete("/schedules/<int:schedule_id>")
@role_required("mentor", "admin")
@blp.response(204)
def delete_schedule(schedule_id):
    """Remove a session (the audit log keeps it).

    Who: mentors and admins.
    """
    schedules.delete(current_user, schedule_id)


@blp.patch("/schedules/<int:schedule_id>/status")
@role_required("mentor", "admin")
@blp.arguments(ScheduleStatusSchema)
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def set_schedule_status(body, schedule_id):
    """Mark a session scheduled, completed or canceled.

    Who: mentors and admins.
    A canceled session frees its slot; reopening it checks for overlaps again.
    """
    return {"schedule": schedules.set_status(current_user, schedule_id, body["status"])}


@blp.post("/schedules/<int:schedule_id>/attendance")
@role_required(*ANYONE)
@blp.arguments(AttendanceMarkSchema)
@idempotent
@as_caller_sees
@blp.response(200, ScheduleEnvelope)
def mark_attendance(body, schedule_id):
    """Mark attendance: the mentor for any attendee, a student for themselves while the session runs.

    Who: students, mentors and admins.
    `status`: `present`, `late`, `absent` or `excused`, and `student_id` (mentor). A student marks
    only themselves, `present` or `late`, only while the session runs (409 otherwise).
    """
    return {"schedule": attendance.mark(current_user, schedule_id, **body)}
