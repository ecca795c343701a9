"""The student's entries: write one, watch its review status change live, comment."""

from flask import g, redirect, render_template, request, url_for

from app.services.identity import users
from app.services.portal import entries as entry_service
from app.services.shared.errors import Invalid
from app.web.session import is_htmx, require_role
from app.web.student import blp


def _text(name, required=False, limit=5000):
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise Invalid(details={name: ["This field is required."]})
    if len(value) > limit:
        raise Invalid(details={name: [f"At most {limit} characters."]})
    return value


def _list():
    return entry_service.list_entries(g.person, limit=50)["items"]


@blp.get("/entries")
@require_role("student")
def entries():
    """The student's entries and a form to write one."""
    return render_template("web/student/entries.html", items=_list())


@blp.get("/entries/_list")
@require_role("student")
def entries_region():
    """The entries list (live region: refreshed on entry:statusChanged and comment:added)."""
    return render_template("web/student/_entries.html", items=_list())


@blp.post("/entries")
@require_role("student")
def create_entry():
    """Write an entry; it waits for the mentor's review."""
    title, body = _text("title", required=True, limit=200), _text("body")
    entry_service.create(users.get_user(g.person.id), title=title, body=body)
    if is_htmx():
        return render_template("web/student/_entries.html", items=_list())
    return redirect(url_for("web.student.entries"))


@blp.get("/entries/<int:entry_id>")
@require_role("student")
def entry(entry_id):
    """One entry with its review history and comments (someone else's is 404)."""
    return render_template("web/student/entry.html", entry=entry_service.visible_entry(g.person, entry_id))


@blp.get("/entries/<int:entry_id>/_detail")
@require_role("student")
def entry_region(entry_id):
    """One entry's status, history and comments (live region)."""
    return render_template("web/student/_entry.html", entry=entry_service.visible_entry(g.person, entry_id))


@blp.post("/entries/<int:entry_id>/comments")
@require_role("student")
def comment(entry_id):
    """Comment on one of the student's entries."""
    entry_service.add_comment(users.get_user(g.person.id), entry_id, _text("body", required=True))
    if is_htmx():
        return render_template("web/student/_entry.html", entry=entry_service.visible_entry(g.person, entry_id))
    return redirect(url_for("web.student.entry", entry_id=entry_id))
