"""The courses an educator owns: the list with each course's figures, a new course, and one
course's page (edit it, its modules and lessons, publish, announce to the enrolled students,
the enrolments and their progress, live on progress:updated). The same services and
schemas as the API (academy.catalog, academy.teaching); someone else's course is the 404
page, a bad field the 422 page (or, for htmx, a toast) naming the field."""

from flask import g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from app.schemas.academy import (
    AnnouncementSchema,
    CourseCreateSchema,
    CourseUpdateSchema,
    LessonCreateSchema,
    LessonUpdateSchema,
    ModuleCreateSchema,
    ModuleUpdateSchema,
)
from app.services.academy import catalog, teaching
from app.services.shared.errors import Invalid
from app.web.educator import blp
from app.web.session import require_role


def _form(schema, text=(), flags=(), numbers=(), **extra):
    """The schema's load of the form: empty text fields are left out (the schema's default),
    checkboxes are on/off, a number that is not one is the schema's message."""
    data = {k: request.form[k] for k in text if k in request.form}
    data |= {k: request.form.get(k) == "on" for k in flags}
    for k in numbers:
        raw = request.form.get(k, "").strip()
        if raw:
            data[k] = int(raw) if raw.lstrip("-").isdigit() else raw
    try:
        return schema.load(data | extra)
    except ValidationError as error:
        details = error.messages if isinstance(error.messages, dict) else {"form": error.messages}
        readable = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in details.items())
        raise Invalid(message=readable or None, details=details) from None


def _price():
    """The price field as the schema reads it (a number; empty is 0)."""
    raw = request.form.get("price", "").strip()
    return {"price": raw} if raw else {}


def _back(course_id, anchor=None):
    return redirect(url_for("web.educator.course_page", course_id=course_id, _anchor=anchor))


@blp.get("/courses")
@require_role("educator")
def courses_page():
    """Your courses with enrolled, active this week, average progress and completions."""
    return render_template("web/educator/courses.html", items=teaching.owned(g.person), active="courses")


@blp.post("/courses")
@require_role("educator")
def create_course():
    """A new course (title, description, price, published); you own it."""
    body = _form(CourseCreateSchema(), text=("title", "description"), flags=("published",), **_price())
    course = catalog.create_course(g.person, **body)
    return _back(course.id)


@blp.get("/courses/<int:course_id>")
@require_role("educator")
def course_page(course_id):
    """One of your courses: its details, modules and lessons, announcements, enrolments."""
    return render_template(
        "web/educator/course.html",
        course=teaching.course(g.person, course_id),  # someone else's, even published: 404
        announced=request.args.get("announced") == "1",
        summary=teaching.course_summary(g.person, course_id),
        enrolments=teaching.enrolments(g.person, course_id),
        active="courses",
    )


@blp.get("/courses/<int:course_id>/_enrolments")
@require_role("educator")
def course_enrolments(course_id):
    """The course's figures and enrolments alone (the page refreshes them on progress:updated)."""
    return render_template(
        "web/educator/_course_enrolments.html",
        summary=teaching.course_summary(g.person, course_id),
        enrolments=teaching.enrolments(g.person, course_id),
    )


@blp.post("/courses/<int:course_id>")
@require_role("educator")
def edit_course(course_id):
    """Change the title, description, price or published flag (publish: tick it and save)."""
    body = _form(CourseUpdateSchema(), text=("title", "description"), flags=("published",), **_price())
    catalog.update_course(g.person, course_id, body)
    return _back(course_id)


@blp.post("/courses/<int:course_id>/modules")
@require_role("educator")
def create_module(course_id):
    """A new module at the end (or at `position`)."""
    body = _form(ModuleCreateSchema(), text=("title",), numbers=("position",))
    module = catalog.create_module(g.person, course_id, **body)
    return _back(course_id, f"module-{module.id}")


@blp.post("/courses/<int:course_id>/modules/<int:module_id>")
@require_role("educator")
def edit_module(course_id, module_id):
    """Rename a module or move it."""
    body = _form(ModuleUpdateSchema(), text=("title",), numbers=("position",))
    catalog.update_module(g.person, course_id, module_id, body)
    return _back(course_id, f"module-{module_id}")


@blp.post("/courses/<int:course_id>/modules/<int:module_id>/lessons")
@require_role("educator")
def create_lesson(course_id, module_id):
    """A new lesson in the module (title, body, published)."""
    body = _form(
        LessonCreateSchema(), text=("title", "body"), flags=("published",), numbers=("position",), module_id=module_id
    )
    lesson = catalog.create_lesson(g.person, course_id, **body)
    return _back(course_id, f"lesson-{lesson.id}")


@blp.post("/courses/<int:course_id>/lessons/<int:lesson_id>")
@require_role("educator")
def edit_lesson(course_id, lesson_id):
    """Change a lesson's title, body, position or published flag."""
    body = _form(LessonUpdateSchema(), text=("title", "body"), flags=("published",), numbers=("position",))
    catalog.update_lesson(g.person, course_id, lesson_id, body)
    return _back(course_id, f"lesson-{lesson_id}")


@blp.post("/courses/<int:course_id>/announcements")
@require_role("educator")
def announce(course_id):
    """An announcement every student with an active enrolment sees live on the course's page."""
    body = _form(AnnouncementSchema(), text=("title", "body"))
    catalog.announce(g.person, course_id, **body)
    return redirect(url_for("web.educator.course_page", course_id=course_id, announced=1, _anchor="announce"))
