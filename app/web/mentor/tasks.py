"""The mentor's tasks for their students: the list (open, done, all), a form to assign one
(every bad field shown beside it), and mark done or open again. The rules are
portal.tasks' (as POST /tasks and PATCH /tasks/<id>/status)."""

from flask import g, redirect, render_template, request, url_for

from app.models import utcnow
from app.services.identity import users
from app.services.portal import mentors
from app.services.portal import tasks as task_service
from app.services.shared.errors import Invalid
from app.web.mentor import blp
from app.web.mentor.forms import task_fields
from app.web.session import is_htmx, require_role

STATUSES = {"open": "Open", "done": "Done", "all": "All"}


def _status():
    status = request.values.get("status") or "open"
    if status not in STATUSES:
        raise Invalid("bad_status", "Choose open, done or all.")
    return status


def _rows(status):
    page = task_service.list_tasks(g.person, status=None if status == "all" else status, limit=100)
    names = users.names([t.student_id for t in page["items"]])
    now = utcnow()
    return [
        {
            "task": t,
            "student": names.get(t.student_id, "A former student"),
            "overdue": t.status == "open" and t.due_at is not None and t.due_at < now,
        }
        for t in page["items"]
    ]


def _page(status, form=None, errors=None, code=200):
    students = mentors.students_overview(g.person)
    return render_template(
        "web/mentor/tasks.html",
        rows=_rows(status),
        status=status,
        statuses=STATUSES,
        students=students,
        form=form or {},
        errors=errors or {},
    ), code


@blp.get("/tasks")
@require_role("mentor")
def tasks_page():
    """Your students' tasks (?status= open, done or all) and the form to assign one."""
    return _page(_status())


@blp.get("/tasks/_list")
@require_role("mentor")
def tasks_list():
    """The tasks list (live region: refreshed when a task is assigned, changed or completed)."""
    status = _status()
    return render_template("web/mentor/_tasks.html", rows=_rows(status), status=status)


@blp.post("/tasks")
@require_role("mentor")
def create_task():
    """Assign a task: student, title, optional description, due date and hours. A bad field
    shows the form again with its message beside it (422)."""
    try:
        fields = task_fields(g.person.timezone)
    except Invalid as error:
        return _page("open", form=request.form, errors=error.details, code=422)
    task = task_service.create(users.get_user(g.person.id), **fields)
    return redirect(url_for("web.mentor.tasks_page", created=task.id), code=303)


@blp.post("/tasks/<int:task_id>/status")
@require_role("mentor")
def task_status(task_id):
    """Mark a task done (status=done) or open again (status=open)."""
    status = request.form.get("status")
    if status not in ("open", "done"):
        raise Invalid("bad_status", "A task is either open or done.")
    task_service.visible_task(g.person, task_id)  # someone else's: 404
    task_service.set_status(users.get_user(g.person.id), task_id, status)
    shown = request.form.get("shown") if request.form.get("shown") in STATUSES else "open"
    if is_htmx():
        return render_template("web/mentor/_tasks.html", rows=_rows(shown), status=shown)
    return redirect(url_for("web.mentor.tasks_page", status=shown), code=303)
