"""Report a missed message (issue 25): a student's stored chatbot message that should have
alerted and did not, from the alert page and the insights drawer. The same service as
`POST /api/v1/mentor/missed-crisis` (crisis.missed.report); only the mentor's own students."""

from flask import g, redirect, render_template, request, url_for

from app.services.crisis import missed
from app.services.crisis.detection import CATEGORIES
from app.services.identity import access
from app.services.shared.errors import Conflict, Invalid
from app.web.mentor import blp
from app.web.session import is_htmx, require_role

NOTE_MAX = 2000


def _int(raw):
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


def _form(student_id, values=None, errors=None, message=None, done=None):
    """The form's context for one of the mentor's students (404 for anyone else's)."""
    student = access.mentor_student(g.person, student_id)
    return {
        "student": student,
        "messages": missed.reportable(g.person, student.id),
        "categories": CATEGORIES,
        "values": values or {},
        "errors": errors or {},
        "message": message,
        "done": done,
    }


@blp.get("/students/<int:student_id>/missed")
@require_role("mentor")
def missed_page(student_id):
    """The report form as a page (the link without JavaScript; ?reported= confirms a report)."""
    done = request.args.get("reported")
    return render_template("web/mentor/missed.html", **_form(student_id, done=done))


@blp.get("/students/<int:student_id>/_missed")
@require_role("mentor")
def missed_form(student_id):
    """The report form alone, loaded into the alert page or the insights drawer."""
    return render_template("web/mentor/_missed_form.html", **_form(student_id))


@blp.post("/missed-crisis")
@require_role("mentor")
def missed_report():
    """Report a message that should have alerted: `student_id`, `intent_id`, `category`, optional `note`."""
    student_id = _int(request.form.get("student_id"))
    if student_id is None:
        raise Invalid("bad_student", "Choose the student whose message it was.")
    access.mentor_student(g.person, student_id)  # 404 for another mentor's student, before anything
    values = {k: (request.form.get(k) or "").strip() for k in ("intent_id", "category", "note")}
    errors = {}
    intent_id = _int(values["intent_id"])
    if intent_id is None:
        errors["intent_id"] = "Choose the message that should have alerted."
    if values["category"] not in CATEGORIES:
        errors["category"] = "Choose what the message signals."
    if len(values["note"]) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    message, report = None, None
    if not errors:
        try:
            report = missed.report(g.person, intent_id, values["category"], values["note"] or None)
        except (Conflict, Invalid) as error:
            message = error.message
    if report is not None and not is_htmx():
        return redirect(url_for("web.mentor.missed_page", student_id=student_id, reported=report.id), code=303)
    context = _form(student_id, None if report else values, errors, message, report.id if report else None)
    if is_htmx():  # htmx swaps 2xx only: the fragment itself says what is wrong
        return render_template("web/mentor/_missed_form.html", **context)
    return render_template("web/mentor/missed.html", **context), 422
