"""The student's courses: cards with progress, the catalogue, enrolling (free, or paid with a
reported payment), a course's lessons with "Mark complete", and certificates."""

from decimal import Decimal, InvalidOperation

from flask import Response, abort, g, redirect, render_template, request, url_for

from app.services.academy import catalog, enrolment, learning, payments
from app.services.academy import certificates as certificate_service
from app.services.identity import users
from app.services.shared.errors import Invalid
from app.web.session import is_htmx, require_role
from app.web.student import blp
from app.web.student.view import int_field

CATALOGUE_PAGE = 10
FILTERS = {
    "in_progress": lambda i: i["enrolment"]["status"] == "active" and 0 < i["progress"]["percent"] < 100,
    "not_started": lambda i: i["enrolment"]["status"] != "active" or i["progress"]["percent"] == 0,
    "done": lambda i: i["enrolment"]["status"] == "active" and i["progress"]["percent"] == 100,
}


def _mine():
    return learning.student_courses(g.person)["items"]


def _courses_context():
    chosen = request.args.get("filter") or ""
    if chosen and chosen not in FILTERS:
        abort(404)
    mine = _mine()
    shown = [i for i in mine if FILTERS[chosen](i)] if chosen else mine
    before_id = int_field(request.args, "before_id")
    page = catalog.list_published(before_id=before_id, limit=CATALOGUE_PAGE)
    enrolled = {i["course"]["id"] for i in mine}
    return {
        "mine": mine,
        "shown": shown,
        "chosen": chosen,
        "catalogue": page["items"],
        "next_before_id": page["next_before_id"],
        "enrolled": enrolled,
        "payments": payments.latest_by_enrolment(g.person.id),
    }


@blp.get("/courses")
@require_role("student")
def courses():
    """The student's courses (filters: in progress, not started, done) and the catalogue."""
    return render_template("web/student/courses.html", **_courses_context())


@blp.get("/courses/_mine")
@require_role("student")
def courses_region():
    """The course cards (live region: payment, enrolment, progress and certificate events)."""
    return render_template("web/student/_my_courses.html", **_courses_context())


@blp.get("/courses/_catalogue")
@require_role("student")
def catalogue_region():
    """The catalogue's page (refreshed after an enrolment, so its button turns to Enrolled)."""
    return render_template("web/student/_catalogue.html", **_courses_context())


@blp.post("/courses/<int:course_id>/enrol")
@require_role("student")
def enrol(course_id):
    """Enrol in a course: a free one is active at once, a paid one waits for its payment."""
    enrolment.enrol(users.get_user(g.person.id), course_id)
    if is_htmx():
        page = render_template("web/student/_my_courses.html", **_courses_context())
        return page, 200, {"HX-Trigger": "courses-changed"}
    return redirect(url_for("web.student.courses"))


@blp.post("/enrolments/<int:enrolment_id>/payment")
@require_role("student")
def report_payment(enrolment_id):
    """Report the reference of a payment made for a paid course; an admin approves it."""
    reference = (request.form.get("reference") or "").strip()
    if not 1 <= len(reference) <= 120:
        raise Invalid(details={"reference": ["Enter the payment reference (at most 120 characters)."]})
    try:
        amount = Decimal(request.form.get("amount") or "")
    except InvalidOperation:
        raise Invalid(details={"amount": ["Enter the amount paid."]}) from None
    payments.report(users.get_user(g.person.id), enrolment_id, reference, amount)
    if is_htmx():
        return render_template("web/student/_my_courses.html", **_courses_context())
    return redirect(url_for("web.student.courses"))


def _course_context(course_id):
    course = catalog.course_detail(g.person, course_id)
    mine = next((i for i in _mine() if i["course"]["id"] == course_id), None)
    lessons = [lesson for m in course.modules for lesson in m.lessons]
    chosen = int_field(request.args, "lesson")
    lesson = next((x for x in lessons if x.id == chosen), None) if chosen else None
    done = learning.completed_lesson_ids(g.person.id, course_id)
    if lesson is None and lessons and mine and mine["enrolment"]["status"] == "active":
        lesson = next((x for x in lessons if x.id not in done), lessons[0])
    return {"course": course, "mine": mine, "lesson": lesson, "done": done}


@blp.get("/courses/<int:course_id>")
@require_role("student")
def course(course_id):
    """A course: modules and lessons, the chosen lesson's text, progress and Mark complete."""
    return render_template("web/student/course.html", **_course_context(course_id))


@blp.get("/courses/<int:course_id>/_progress")
@require_role("student")
def course_progress(course_id):
    """The course's progress bar (live region: progress:updated, certificate:issued)."""
    return render_template("web/student/_course_progress.html", **_course_context(course_id))


@blp.post("/courses/<int:course_id>/lessons/<int:lesson_id>/complete")
@require_role("student")
def complete_lesson(course_id, lesson_id):
    """Mark a lesson complete; answers the progress region with the bar moved."""
    learning.complete(users.get_user(g.person.id), course_id, lesson_id)
    if is_htmx():
        return render_template("web/student/_course_progress.html", **_course_context(course_id))
    return redirect(url_for("web.student.course", course_id=course_id, lesson=lesson_id))


@blp.get("/certificates")
@require_role("student")
def certificates():
    """The student's certificates: download the PDF, share the public verification link."""
    items = [i for i in _mine() if i["certificate"]]
    return render_template("web/student/certificates.html", items=items)


@blp.get("/certificates/<int:certificate_id>.pdf")
@require_role("student")
def certificate_pdf(certificate_id):
    """A certificate as a PDF, for its owner (anyone else's is 404)."""
    certificate = certificate_service.for_download(g.person, certificate_id)
    return Response(
        certificate.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'},
    )
