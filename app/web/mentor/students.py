"""The mentor's overview (their students with live counters and at-risk reasons) and a
student's insights: a drawer opened from the row, and the same at a page of its own (the
link without JavaScript)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, render_template

from app.services.performance import summaries
from app.services.portal import insights, mentors
from app.web.mentor import blp
from app.web.session import require_role


def _rows():
    rows = mentors.students_overview(g.person)
    ids = [r["id"] for r in rows]
    counters = mentors.console_counters(ids)
    at_risk = summaries.at_risk_for(ids)
    return [{**r, **counters[r["id"]], "at_risk": at_risk.get(r["id"], [])} for r in rows]


def ago(iso, now=None):
    """ "3 minutes ago" for an ISO time: how fresh the insights are."""
    if not iso:
        return None
    now = now or datetime.now(ZoneInfo("UTC"))
    minutes = max(0, int((now - datetime.fromisoformat(iso.replace("Z", "+00:00"))).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''} ago"


def _insights(student_id):
    answer = insights.get_for(g.person, student_id)  # 404 for another mentor's student
    return {
        "answer": answer,
        "student_id": student_id,
        "updated_ago": ago(answer["computed_at"]),
        "at_risk": summaries.at_risk_for([student_id]).get(student_id, []),
    }


@blp.get("")
@require_role("mentor")
def home():
    """The mentor's console: open alerts on top, then their students."""
    return render_template("web/mentor/home.html", rows=_rows())


@blp.get("/_students")
@require_role("mentor")
def students_table():
    """The students table with its counters (refreshed live)."""
    return render_template("web/mentor/_students.html", rows=_rows())


@blp.get("/students/<int:student_id>")
@require_role("mentor")
def student(student_id):
    """One of this mentor's students: insights (partial at first, then full); 404 for anyone else's."""
    return render_template("web/mentor/student.html", **_insights(student_id))


@blp.get("/students/<int:student_id>/_insights")
@require_role("mentor")
def student_insights(student_id):
    """The insights region, refreshed when `insights:ready` says the full result is stored."""
    return render_template("web/mentor/_insights.html", **_insights(student_id))


@blp.get("/students/<int:student_id>/_drawer")
@require_role("mentor")
def student_drawer(student_id):
    """The insights drawer's body: the live insights region and the missed-message report."""
    return render_template("web/mentor/_drawer.html", **_insights(student_id))
