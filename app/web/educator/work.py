"""An educator's work on a section: create and edit exams, and a day's attendance for the
whole section in one form. Same services and schemas as the API; a bad field is the 422
page (or, for htmx, a toast) with the schema's message."""

from datetime import date as Date

from flask import g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from app.schemas.performance import ExamCreateSchema, ExamUpdateSchema
from app.services.performance import access, attendance, exams, sections
from app.services.shared.errors import Invalid
from app.web.educator import blp
from app.web.session import require_role

EXAM_FIELDS = ("subject", "name", "date", "total_marks")


def _exam_form(schema, **extra):
    data = {k: request.form[k] for k in EXAM_FIELDS if request.form.get(k, "").strip()}
    data["published"] = request.form.get("published") == "on"
    try:
        return schema.load(data | extra)
    except ValidationError as error:
        raise Invalid(details=error.messages) from None


def _invalid_message(error):
    return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in (error.details or {}).items()) or error.message


@blp.post("/sections/<int:section_id>/exams")
@require_role("educator")
def create_exam(section_id):
    """A new exam in one of your sections (subject, name, date, total_marks, published)."""
    access.visible_section(g.person, section_id)  # someone else's section: 404 before the form is read
    fields = _exam_form(ExamCreateSchema(), section_id=section_id)
    exams.create(g.person, **fields)
    return redirect(url_for("web.educator.section_page", section_id=section_id))


@blp.post("/exams/<int:exam_id>")
@require_role("educator")
def edit_exam(exam_id):
    """Change an exam's subject, name, date, total marks or published flag."""
    exam = access.visible_exam(g.person, exam_id)
    exams.update(g.person, exam_id, _exam_form(ExamUpdateSchema()))
    return redirect(url_for("web.educator.section_page", section_id=exam.section_id))


def _day():
    raw = request.values.get("date") or Date.today().isoformat()
    try:
        return Date.fromisoformat(raw)
    except ValueError:
        raise Invalid(details={"date": ["A date as YYYY-MM-DD."]}) from None


@blp.route("/sections/<int:section_id>/attendance", methods=["GET", "POST"])
@require_role("educator")
def attendance_page(section_id):
    """A day's attendance (?date=) for the whole section in one form; saved all at once or not at all."""
    section = access.visible_section(g.person, section_id)
    day, errors, saved = _day(), None, None
    if request.method == "POST":
        upload = [
            (
                n,
                {
                    "student_id": sid,
                    "status": request.form.get(f"status-{sid}"),
                    "remarks": request.form.get(f"remarks-{sid}", ""),
                },
            )
            for n, sid in enumerate(request.form.getlist("student_id"), start=1)
        ]
        try:
            saved = len(attendance.put_day(g.person, section_id, day, upload))
        except Invalid as error:
            errors = error
    marks = {m.student_id: m for m in attendance.day_of(g.person, section_id, day)}
    students = sections.current_enrolments(section_id)
    return render_template(
        "web/educator/attendance.html",
        section=section,
        day=day,
        marks=marks,
        students=students,
        errors=errors,
        saved=saved,
        active="sections",
        message=_invalid_message(errors) if errors else None,
    ), (422 if errors else 200)
