"""The student's dashboard page: the same aggregate as GET /api/v1/student/dashboard, plus
the day's schedule, tasks and (without a cohort) the cohorts to join."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, redirect, render_template, request, url_for

from app.services.dashboard import reader
from app.services.identity import cohorts, principals, users
from app.services.portal import schedule_list, tasks
from app.services.shared.errors import Invalid
from app.web.session import is_htmx, require_role
from app.web.student import blp
from app.web.student.view import ago, int_field


def _context():
    person = g.person
    data = reader.dashboard_for(person)
    now = datetime.now(ZoneInfo("UTC"))
    today = now.astimezone(ZoneInfo(person.timezone or "UTC")).date()
    day = schedule_list.list_schedules(person, date=today, tz=person.timezone or "UTC")
    task_rows = tasks.list_tasks(person, limit=50)["items"]
    # The cached figures may predate a join a moment ago (their refresh is queued): the
    # person's own cohort list is current, so the call to action goes at once.
    no_cohort = data["cards"]["cohort"]["cohort"] is None and not person.cohort_ids
    cohort_pending = data["cards"]["cohort"]["cohort"] is None and bool(person.cohort_ids)
    return {
        "d": data,
        "updated_ago": ago(data.get("last_updated"), now),
        "stale": data.get("refresh_queued", False) or cohort_pending,
        "no_cohort": no_cohort,
        "open_tasks": [t for t in task_rows if t.status != "done"],
        "done_tasks": [t for t in task_rows if t.status == "done"],
        "missing": [t for t in task_rows if t.status == "open" and t.due_at is not None and t.due_at < now],
        "day": day,
        "sessions": {s.id: s for s in day["items"]},
        "joinable": cohorts.list_for(person, joinable=True) if no_cohort else [],
        "masked": "upgrade_required",
    }


@blp.get("")
@require_role("student")
def home():
    """The student's dashboard."""
    return render_template("web/student/dashboard.html", **_context())


@blp.get("/_dashboard")
@require_role("student")
def dashboard_region():
    """The dashboard's live region (live.js refreshes it on connect and on the student's events)."""
    return render_template("web/student/_dashboard.html", **_context())


@blp.post("/cohorts/join")
@require_role("student")
def join_cohort():
    """Join an open cohort, or one with its join code (the no-cohort call to action)."""
    cohort_id = int_field(request.form, "cohort_id")
    code = (request.form.get("code") or "").strip() or None
    if cohort_id is None:
        raise Invalid(details={"cohort_id": ["Choose a cohort."]})
    cohorts.join(users.get_user(g.person.id), cohort_id, code)
    g.person = principals.get(g.person.id)  # rewritten after the join's commit: now in the cohort
    if is_htmx():
        return render_template("web/student/_dashboard.html", **_context())
    return redirect(url_for("web.student.home"))
