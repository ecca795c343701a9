"""The mentor's schedule: the day by the hour, a session's page with its attendance, and the
forms to book and edit 1:1 and group sessions. The rules are portal.schedules',
schedule_list's and attendance's (the JSON API's too); these views parse, call and render."""

from datetime import date, datetime, timedelta

from flask import g, redirect, render_template, request, url_for

from app.models.schedules import ATTENDANCE_STATUSES, SCHEDULE_STATUSES
from app.services.portal import attendance, mentors, schedule_list, schedules
from app.services.shared.errors import Conflict, DomainError, Invalid, NotFound
from app.web.mentor import blp
from app.web.mentor import schedule_form as sf
from app.web.session import require_role


def _day():
    """?date= (YYYY-MM-DD), today in the mentor's time zone without one."""
    raw = request.args.get("date")
    if not raw:
        return datetime.now(sf.zone(g.person)).date()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid("bad_date", "The date must be a day written YYYY-MM-DD.") from None


def _day_context(day):
    tz = g.person.timezone or "UTC"
    page = schedule_list.list_schedules(g.person, date=day, tz=tz)
    rows = page["items"]
    by_id = {s.id: s for s in rows}
    zone = sf.zone(g.person)
    hours = []
    for slot in page["day"]["hours"]:
        nxt = slot["start"] + timedelta(hours=1)
        starting = [by_id[i] for i in slot["schedule_ids"] if slot["start"] <= by_id[i].start_time < nxt]
        going_on = [by_id[i] for i in slot["schedule_ids"] if by_id[i] not in starting]
        hours.append({"hour": slot["hour"], "starting": starting, "going_on": going_on})
    return {
        "day": day,
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": datetime.now(zone).date(),
        "hours": hours,
        "rows": rows,
        "names": schedule_list.audience_names(rows),
        "tz": tz,
        "zone": zone,
    }


@blp.get("/schedules")
@require_role("mentor")
def schedule_day():
    """The mentor's day by the hour (?date=YYYY-MM-DD, today by default), in their time zone."""
    return render_template("web/mentor/schedules.html", **_day_context(_day()))


@blp.get("/schedules/_day")
@require_role("mentor")
def schedule_day_part():
    """The day's hours alone (the live region, refreshed by the schedule and attendance events)."""
    return render_template("web/mentor/_schedule_day.html", **_day_context(_day()))


def _choices():
    return {
        "students": [s for s in mentors.students_overview(g.person) if s["is_active"]],
        "cohorts": schedule_list.group_cohorts(g.person),
    }


def _form_page(values, session=None, error=None, status=200):
    return (
        render_template(
            "web/mentor/schedule_form.html",
            form=values,
            session=session,
            errors=error.errors if error else {},
            form_error=error,
            **_choices(),
        ),
        status,
    )


@blp.get("/schedules/new")
@require_role("mentor")
def schedule_new():
    """The form to book a session (?date= preselects the day)."""
    return _form_page(sf.blank(g.person, _day()))


def _save(values, call, session=None):
    """Call the service; a refusal the form can explain is shown beside its field (422)."""
    try:
        return call(), None
    except DomainError as error:
        explained = sf.from_service(error)
        if explained is None:
            raise
        return None, _form_page(values, session, explained, 422)


@blp.post("/schedules")
@require_role("mentor")
def schedule_create():
    """Book a 1:1 or group session; back to the form with what is wrong (422), else to its page."""
    try:
        values, body = sf.parse(g.person, request.form)
    except sf.FormErrors as error:
        return _form_page({k: (request.form.get(k) or "").strip() for k in sf.FIELDS}, None, error, 422)
    s, page = _save(values, lambda: schedules.create(g.person, **body))
    if page:
        return page
    return redirect(url_for("web.mentor.schedule_page", schedule_id=s.id, saved="created"), code=303)


@blp.get("/schedules/<int:schedule_id>")
@require_role("mentor")
def schedule_page(schedule_id):
    """One session: when, who, and its attendance form; 404 for a session the mentor does not run."""
    return _session_page(schedule_id, saved=request.args.get("saved"))


def _session_page(schedule_id, saved=None, errors=None, status=200, status_error=None):
    s, people = attendance.roster(g.person, schedule_id)
    return render_template(
        "web/mentor/schedule.html",
        s=s,
        people=people,
        name=schedule_list.audience_names([s])[s.id],
        zone=sf.zone(g.person),
        statuses=ATTENDANCE_STATUSES,
        saved=saved,
        errors=errors or {},
        status_error=status_error,
    ), status


@blp.get("/schedules/<int:schedule_id>/edit")
@require_role("mentor")
def schedule_edit(schedule_id):
    """The form to change a session (its details, times, student or cohort)."""
    s = schedules.owned_schedule(g.person, schedule_id)
    return _form_page(sf.of_session(g.person, s), s)


@blp.post("/schedules/<int:schedule_id>")
@require_role("mentor")
def schedule_update(schedule_id):
    """Save a session's changes (overlaps checked again); 422 with the form when something is wrong."""
    s = schedules.owned_schedule(g.person, schedule_id)
    try:
        values, body = sf.parse(g.person, request.form)
    except sf.FormErrors as error:
        return _form_page({k: (request.form.get(k) or "").strip() for k in sf.FIELDS}, s, error, 422)
    body.setdefault("student_id", None)  # a 1:1 session made a group one (or back) drops the other
    body.setdefault("cohort_id", None)
    done, page = _save(values, lambda: schedules.update(g.person, schedule_id, body), s)
    if page:
        return page
    return redirect(url_for("web.mentor.schedule_page", schedule_id=done.id, saved="updated"), code=303)


@blp.post("/schedules/<int:schedule_id>/attendance")
@require_role("mentor")
def schedule_attendance(schedule_id):
    """Mark the attendance of the mentor's students at a session (one status each; unchanged ones are left)."""
    s, people = attendance.roster(g.person, schedule_id)
    errors, chosen = {}, {}
    for row in people:
        student = row["student"]
        value = request.form.get(f"status-{student.id}") or ""
        if not value:
            continue
        if value not in ATTENDANCE_STATUSES:
            errors[student.id] = "Choose present, late, absent or excused."
            continue
        chosen[student.id] = value
    if not chosen and not errors:
        errors[0] = "Choose a status for at least one student."
    for student_id, value in chosen.items():
        try:
            attendance.mark(g.person, s.id, value, student_id=student_id)
        except (Invalid, NotFound, Conflict) as error:
            errors[student_id] = error.message if not error.details else "Not an attendee of this session."
    if errors:
        return _session_page(schedule_id, errors=errors, status=422)
    return redirect(url_for("web.mentor.schedule_page", schedule_id=s.id, saved="attendance"), code=303)


@blp.post("/schedules/<int:schedule_id>/status")
@require_role("mentor")
def schedule_status(schedule_id):
    """Mark a session completed or canceled, or reopen it (an overlap refuses the reopening)."""
    status = request.form.get("status") or ""
    if status not in SCHEDULE_STATUSES:
        raise Invalid("bad_status", "Choose completed, canceled or scheduled.")
    try:
        schedules.set_status(g.person, schedule_id, status)
    except Conflict as error:
        return _session_page(schedule_id, status=422, status_error=error.message)
    return redirect(url_for("web.mentor.schedule_page", schedule_id=schedule_id, saved=status), code=303)
