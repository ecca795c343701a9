"""The session form of the mentor's schedule pages: read it (local day and times in the
mentor's time zone), check it with the API's own schema, and turn the services' refusals
into messages beside the fields. Presentation only: the rules stay in portal.schedules."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from app.schemas.schedules import ScheduleCreateSchema, split_tags

FIELDS = ("title", "kind", "student_id", "cohort_id", "day", "start", "end", "description", "focus")
# the schema's field -> the form's field it is shown beside
SCHEMA_FIELDS = {"start_time": "start", "end_time": "end", "focus_stack": "focus"}
READABLE = {
    "Missing data for required field.": "Required.",
    "Must be after start_time.": "The end must be after the start.",
    "Length must be between 1 and 200.": "Give a title of 1 to 200 characters.",
}


class FormErrors(Exception):
    """A form that cannot be saved: {field: message}, and a message for the whole form."""

    def __init__(self, errors=None, message=None, links=()):
        super().__init__(message or "Please check the form.")
        self.errors, self.message, self.links = errors or {}, message, list(links)


def zone(person):
    return ZoneInfo(person.timezone or "UTC")


def blank(person, day):
    """A new session's form: the chosen day, 10:00 to 11:00, one student."""
    return {"kind": "one", "day": day.isoformat(), "start": "10:00", "end": "11:00", "title": "", "focus": ""}


def of_session(person, s):
    """An existing session as the form shows it, in the mentor's time zone."""
    tz = zone(person)
    start, end = s.start_time.astimezone(tz), s.end_time.astimezone(tz)
    return {
        "title": s.title,
        "kind": "group" if s.cohort_id else "one",
        "student_id": str(s.student_id or ""),
        "cohort_id": str(s.cohort_id or ""),
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M") if end.date() == start.date() else "23:59",
        "description": s.description or "",
        "focus": ", ".join(split_tags(s.focus_stack) or []),
    }


def _int(raw):
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


def _clock(raw):
    try:
        return time.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def parse(person, form):
    """The form's values (to show again) and the service's arguments; FormErrors when a field is wrong."""
    values = {k: (form.get(k) or "").strip() for k in FIELDS}
    errors = {}
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        day = None
        errors["day"] = "Choose a day (YYYY-MM-DD)."
    start, end = _clock(values["start"]), _clock(values["end"])
    if start is None:
        errors["start"] = "Give the start time (HH:MM)."
    if end is None:
        errors["end"] = "Give the end time (HH:MM)."
    body = {"title": values["title"], "description": values["description"], "focus_stack": values["focus"]}
    if values["kind"] == "group":
        body["cohort_id"] = _int(values["cohort_id"])
        if body["cohort_id"] is None:
            errors["cohort_id"] = "Choose the cohort of the group session."
    elif values["kind"] == "one":
        body["student_id"] = _int(values["student_id"])
        if body["student_id"] is None:
            errors["student_id"] = "Choose the student."
    else:
        errors["kind"] = "Choose a 1:1 or a group session."
    if day and start and end:
        tz = zone(person)
        body["start_time"] = datetime.combine(day, start, tz).isoformat()
        body["end_time"] = datetime.combine(day, end, tz).isoformat()
    try:
        loaded = ScheduleCreateSchema().load({k: v for k, v in body.items() if v is not None})
    except ValidationError as error:
        for field, messages in error.normalized_messages().items():
            if field == "_schema":
                continue
            text = messages[0] if isinstance(messages, list) else "Not valid."
            if field == "focus_stack":  # its messages are per tag (a dict): say the rule instead
                text = "At most 20 tags, each of 1 to 40 characters."
            errors.setdefault(SCHEMA_FIELDS.get(field, field), READABLE.get(text, text))
        loaded = None
    if errors:
        raise FormErrors(errors)
    return values, loaded


def from_service(error):
    """A service's refusal of a valid-looking form, as FormErrors (None: not a form matter)."""
    code = getattr(error, "code", "")
    details = getattr(error, "details", None) or {}
    if code == "student_not_found":
        return FormErrors({"student_id": "Choose one of your own students."})
    if code == "cohort_not_found":
        return FormErrors({"cohort_id": "Choose a cohort that has at least one of your students."})
    if code == "schedule_overlap":
        return FormErrors(
            message="You already have a session at that time. Choose another time, or move the other session.",
            links=details.get("conflicting_ids", []),
        )
    if code == "validation_error" and isinstance(details, dict):
        errors = {SCHEMA_FIELDS.get(k, k): READABLE.get(v[0], v[0]) for k, v in details.items() if v}
        return FormErrors(errors)
    return None
