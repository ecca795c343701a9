"""An educator's sections: the list, one section's roster (sortable) and exams, a grades CSV
upload per exam (every bad row shown beside it, nothing saved until all are valid), and a
student's drill-down. Someone else's section, exam or student is the 404 page."""

from flask import g, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from app.services.performance import exams, grades, reports, rows
from app.services.shared.errors import Invalid
from app.web.educator import blp
from app.web.session import is_htmx, require_role

ROSTER_SORTS = ("name", "average", "attendance_percentage", "trend", "graded_exams")
UPLOAD_MAX = 512 * 1024  # bytes of CSV in one upload (MAX_ROWS rows fit easily)


def _sorted(items, sort):
    """Sort roster rows by ?sort=key or -key; rows without a value last."""
    key = sort.lstrip("-")
    if key not in ROSTER_SORTS:
        return items
    present = [r for r in items if r.get(key) is not None]
    absent = [r for r in items if r.get(key) is None]
    value = (lambda r: r[key].lower()) if key == "name" else (lambda r: r[key])
    return sorted(present, key=value, reverse=sort.startswith("-")) + absent


@blp.get("/sections")
@require_role("educator")
def sections_page():
    """Your sections with their figures; ?sort= orders them (average, -average, pass_rate, ...)."""
    sort = request.args.get("sort") or None
    if sort and sort.lstrip("-") not in ("name", "average", "pass_rate", "attendance_percentage", "students"):
        sort = None
    items = reports.sections(g.person, sort=sort)["items"]
    return render_template("web/educator/sections.html", items=items, sort=sort or "", active="sections")


@blp.get("/sections/<int:section_id>")
@require_role("educator")
def section_page(section_id):
    """One of your sections: figures, the roster (?sort=), its exams and their grade uploads."""
    figures = reports.section(g.person, section_id)
    sort = request.args.get("sort") or "-average"
    return render_template(
        "web/educator/section.html",
        figures=figures,
        roster=_sorted(figures["students"], sort),
        sort=sort,
        exams=exams.list_exams(g.person, section_id=section_id),
        active="sections",
    )


def _upload_text():
    upload = request.files.get("file")
    text = upload.read(UPLOAD_MAX + 1).decode("utf-8", "replace") if upload and upload.filename else ""
    text = text or request.form.get("csv") or ""
    if len(text) > UPLOAD_MAX:
        raise BadRequest("The CSV is too large.")
    return text


@blp.post("/exams/<int:exam_id>/grades")
@require_role("educator")
def upload_grades(exam_id):
    """Grades as CSV (student_id,score; a file or pasted): all saved, or none with each bad row's errors."""
    text = _upload_text()
    parsed = []
    try:
        parsed = rows.parse_csv(text, grades.COLUMNS)
        saved = grades.put_grades(g.person, exam_id, parsed)
    except Invalid as error:
        bad = (error.details or {}).get("rows")
        listed = [
            {"line": n, "row": r, "errors": (bad or {}).get(str(n)) if isinstance(bad, dict) else None}
            for n, r in parsed
        ]
        general = bad if isinstance(bad, list) else ([] if bad else [error.message])
        body = render_template(
            "web/educator/_upload_result.html",
            ok=False,
            message=error.message,
            listed=listed,
            general=general,
            text=text,
            exam_id=exam_id,
        )
        return body, (200 if is_htmx() else 422)  # htmx swaps 2xx only; the fragment says what is wrong
    body = render_template(
        "web/educator/_upload_result.html",
        ok=True,
        saved=len(saved),
        exam_id=exam_id,
        back=url_for("web.educator.home"),
    )
    return body


@blp.get("/students/<int:student_id>")
@require_role("educator")
def student_page(student_id):
    """A student of your sections: per-subject scores, every exam, attendance history, trend."""
    return render_template("web/educator/student.html", s=reports.student(g.person, student_id), active="sections")
