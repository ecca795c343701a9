"""Reading the mentor's forms: text and number fields, a due date in the mentor's time zone,
and the API's schema errors turned into messages a person reads beside each field."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request
from marshmallow import ValidationError

from app.schemas.portal import TaskCreateSchema
from app.services.shared.errors import Invalid

TITLE_MAX = 200
TEXT_MAX = 4000


def text(name, required=None, limit=TEXT_MAX):
    """A stripped form field; `required` is the message when it is blank."""
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise Invalid(message=required, details={name: [required]})
    if len(value) > limit:
        message = f"At most {limit} characters, please shorten it."
        raise Invalid(message=message, details={name: [message]})
    return value


def positive_int(raw):
    """A positive integer from a form or query value, None when absent or not one."""
    if raw is None or not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 12) or int(raw) == 0:
        return None
    return int(raw)


def _end_of_day(raw, tz_name):
    """A date input (YYYY-MM-DD) as 23:59 that day where the mentor is, in ISO 8601."""
    try:
        tz = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return datetime.combine(date.fromisoformat(raw), time(23, 59), tzinfo=tz).isoformat()


def task_fields(tz_name):
    """The new-task form as TaskCreateSchema's fields, or Invalid with every bad field's
    message (all at once, so the form shows them together)."""
    form = request.form
    errors, data = {}, {}
    student_id = positive_int(form.get("student_id"))
    if student_id is None:
        errors["student_id"] = ["Choose a student."]
    else:
        data["student_id"] = student_id
    title = (form.get("title") or "").strip()
    if not title:
        errors["title"] = ["Give the task a title."]
    data["title"] = title
    data["description"] = (form.get("description") or "").strip()
    due = (form.get("due") or "").strip()
    if due:
        try:
            data["due_at"] = _end_of_day(due, tz_name)
        except ValueError:
            errors["due"] = ["A date, such as 2026-12-31."]
    hours = (form.get("est_hours") or "").strip()
    if hours:
        data["est_hours"] = hours
    try:
        loaded = TaskCreateSchema().load(data)
    except ValidationError as error:
        loaded = None
        for field, messages in error.messages.items():
            errors.setdefault("due" if field == "due_at" else field, readable(field, messages))
    if errors:
        raise Invalid(message="Please correct the fields marked below.", details=errors)
    return loaded


def readable(field, messages):
    """marshmallow's messages, said the way the form asks."""
    text = " ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
    if field == "title":
        return [f"At most {TITLE_MAX} characters."]
    if field == "est_hours":
        return ["Hours as a number from 0 to 1000, such as 1.5."]
    if field == "description":
        return ["The description is too long."]
    if field == "due_at":
        return ["That date is out of range."]
    return [text]
