"""The educator's overview: KPI cards, grade distribution, averages, performers, at-risk
students and weekly trends, filtered by term, section and subject from the URL (so a view
can be bookmarked), refreshed live by the page's script on grade/attendance/exam events."""

from flask import g, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from app.services.performance import board
from app.web.educator import blp
from app.web.session import require_role


def filters():
    """term, section and subject from the query string; bad ones are a readable 400."""
    args = request.args
    section = (args.get("section") or "").strip()
    if section and not section.isdigit():
        raise BadRequest("The section filter must be a section's number.")
    term, subject = (args.get("term") or "").strip(), (args.get("subject") or "").strip()
    if len(term) > 60 or len(subject) > 60:
        raise BadRequest("A filter is too long.")
    return {"term": term or None, "section_id": int(section) if section else None, "subject": subject or None}


def query_of(chosen):
    return {
        k: v
        for k, v in (("term", chosen["term"]), ("section", chosen["section_id"]), ("subject", chosen["subject"]))
        if v
    }


@blp.get("")
@require_role("educator")
def home():
    """The educator's overview of their sections (?term=, ?section=, ?subject=)."""
    chosen = filters()
    view = board.view(g.person, **chosen)
    return render_template(
        "web/educator/overview.html", view=view, live_src=url_for("web.educator.overview_part", **query_of(chosen))
    )


@blp.get("/_overview")
@require_role("educator")
def overview_part():
    """The overview's live region alone (the page refreshes it on every event and reconnect)."""
    view = board.view(g.person, **filters())
    return render_template("web/educator/_overview.html", view=view)
