"""Entries to review: the mentor's students' entries by status (waiting for review first),
and one entry's page where the mentor approves, asks for changes or comments. The rules are
portal.entries' (as PATCH /entries/<id>/status and POST /entries/<id>/comments)."""

from flask import g, redirect, render_template, request, url_for

from app.services.identity import users
from app.services.portal import entries as entry_service
from app.services.shared.errors import Invalid
from app.web.mentor import blp
from app.web.mentor.forms import text
from app.web.session import is_htmx, require_role

STATUSES = {
    "pending": "Waiting for review",
    "needs_revision": "Changes requested",
    "approved": "Approved",
    "all": "All",
}
ACTIONS = {"approve": "approved", "request_changes": "needs_revision"}


def _status():
    status = request.args.get("status") or "pending"
    if status not in STATUSES:
        raise Invalid("bad_status", "Choose waiting for review, changes requested, approved or all.")
    return status


def _list(status):
    page = entry_service.list_entries(g.person, status=None if status == "all" else status, limit=100)
    names = users.names([e.student_id for e in page["items"]])
    return [{"entry": e, "student": names.get(e.student_id, "A former student")} for e in page["items"]]


@blp.get("/entries")
@require_role("mentor")
def entries_page():
    """Your students' entries; ?status= pending (the default), needs_revision, approved or all."""
    status = _status()
    return render_template("web/mentor/entries.html", rows=_list(status), status=status, statuses=STATUSES)


@blp.get("/entries/_list")
@require_role("mentor")
def entries_list():
    """The entries list (live region: refreshed when an entry is submitted, edited or reviewed)."""
    status = _status()
    return render_template("web/mentor/_entries.html", rows=_list(status), status=status, statuses=STATUSES)


def _detail(entry):
    student = users.names([entry.student_id]).get(entry.student_id)
    names = users.names([c.author_id for c in entry.comments] + [h.changed_by for h in entry.history])
    return {"entry": entry, "student": student, "names": names}


@blp.get("/entries/<int:entry_id>")
@require_role("mentor")
def entry_page(entry_id):
    """One entry: its text, review history and comments, and the review form (404 if not your student's)."""
    entry = entry_service.visible_entry(g.person, entry_id)
    return render_template("web/mentor/entry.html", **_detail(entry))


@blp.get("/entries/<int:entry_id>/_detail")
@require_role("mentor")
def entry_detail(entry_id):
    """The entry's live part: status, history, comments."""
    return render_template("web/mentor/_entry.html", **_detail(entry_service.visible_entry(g.person, entry_id)))


@blp.post("/entries/<int:entry_id>/review")
@require_role("mentor")
def review(entry_id):
    """action=approve (comment optional), request_changes (comment required) or comment."""
    action = request.form.get("action")
    entry = entry_service.visible_entry(g.person, entry_id)  # someone else's: 404 before the form
    me = users.get_user(g.person.id)
    if action == "comment":
        entry_service.add_comment(me, entry.id, text("comment", required="Write a comment first."))
    elif action in ACTIONS:
        needed = "Say what should change, so your student knows." if action == "request_changes" else None
        entry_service.review(me, entry.id, ACTIONS[action], text("comment", required=needed) or None)
    else:
        raise Invalid("bad_action", "Choose Approve, Request changes or Comment.")
    if is_htmx():
        return entry_detail(entry_id)
    return redirect(url_for("web.mentor.entry_page", entry_id=entry_id), code=303)
