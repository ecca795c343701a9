"""The mentor's overview (their students with live counters) and a student's insights."""

from flask import g, render_template

from app.services.portal import insights, mentors
from app.web.mentor import blp
from app.web.session import require_role


def _rows():
    rows = mentors.students_overview(g.person)
    counters = mentors.console_counters([r["id"] for r in rows])
    return [{**r, **counters[r["id"]]} for r in rows]


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
    answer = insights.get_for(g.person, student_id)
    return render_template("web/mentor/student.html", answer=answer, student_id=student_id)


@blp.get("/students/<int:student_id>/_insights")
@require_role("mentor")
def student_insights(student_id):
    """The insights region, refreshed when `insights:ready` says the full result is stored."""
    return render_template("web/mentor/_insights.html", answer=insights.get_for(g.person, student_id))
