"""Courses, modules and lessons: edited by their educator or an admin, read by everyone signed in.

A change students can see (a published lesson added or edited, a published course edited,
an announcement) sends `course:updated` to the course's room, which holds exactly the
sockets of students with an active enrolment.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import defer, undefer

from app.extensions import db
from app.models import Course, CourseModule, Lesson, Role, User, utcnow
from app.models.base import iso
from app.schemas.academy import LessonSchema
from app.services.academy import access, progress
from app.services.realtime import events, outbox
from app.services.realtime.rooms import course_room
from app.services.shared import paging
from app.services.shared.errors import Invalid, NotFound
from app.services.shared.transaction import commit


class _View:
    """An object seen through a filter: chosen attributes replaced, the rest read through."""

    def __init__(self, obj, **override):
        self._obj = obj
        self.__dict__.update(override)

    def __getattr__(self, name):
        return getattr(self._obj, name)


def list_published(before_id=None, limit=20):
    """A page of published courses, newest first; each with the start of its description, never all of it."""
    query = (
        select(Course)
        .where(Course.published.is_(True))
        .options(defer(Course.description), undefer(Course.description_head))
    )
    return paging.newest_first(query, Course.id, before_id=before_id, limit=limit)


class _Outline:
    """A lesson without its body: what a course's outline shows to someone not enrolled.
    The body attribute is absent, so the schema leaves the field out."""

    FIELDS = ("id", "module_id", "course_id", "title", "position", "published", "created_at", "updated_at")

    def __init__(self, lesson):
        for name in self.FIELDS:
            setattr(self, name, getattr(lesson, name))


def course_detail(user, course_id):
    """The course with modules and lessons in order; only editors see unpublished lessons.

    Lesson bodies are the paid content: only the course's editors, admins and students with
    an active enrolment get them; everyone else signed in sees the outline (titles)."""
    course = access.visible_course(user, course_id)
    if access.can_edit(user, course):
        return course
    full = access.actively_enrolled(user, course)
    modules = [
        _View(m, lessons=[lesson if full else _Outline(lesson) for lesson in m.lessons if lesson.published])
        for m in course.modules
    ]
    return _View(course, modules=modules)


def _owner_for(user, owner_id):
    if user.role != Role.ADMIN or owner_id is None:
        return user.id
    owner = db.session.get(User, owner_id)
    if owner is None or owner.role != Role.EDUCATOR:
        raise Invalid(details={"owner_id": ["Must be an educator's id."]})
    return owner.id


def create_course(user, title, description="", price=0, published=False, owner_id=None):
    course = Course(
        owner_id=_owner_for(user, owner_id), title=title, description=description, price=price, published=published
    )
    db.session.add(course)
    commit()
    return course


def _announce(course, change, **payload):
    outbox.record(events.COURSE_UPDATED, course_room(course.id), {"course_id": course.id, "change": change, **payload})


def update_course(user, course_id, changes):
    course = access.editable_course(user, course_id)
    was_published = course.published
    for field, value in changes.items():
        setattr(course, field, value)
    if changes and (was_published or course.published):
        _announce(course, "course_updated", fields=sorted(changes))
        progress.invalidate_course(course.id)
    commit()
    return course


def _next_position(column, *where):
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def create_module(user, course_id, title, position=None):
    course = access.editable_course(user, course_id)
    if position is None:
        position = _next_position(CourseModule.position, CourseModule.course_id == course.id)
    module = CourseModule(course_id=course.id, title=title, position=position)
    db.session.add(module)
    commit()
    return module


def _module(course, module_id):
    module = db.session.get(CourseModule, module_id)
    if module is None or module.course_id != course.id:
        raise NotFound("module_not_found", f"No module with id {module_id} in this course.")
    return module


def update_module(user, course_id, module_id, changes):
    course = access.editable_course(user, course_id)
    module = _module(course, module_id)
    for field, value in changes.items():
        setattr(module, field, value)
    commit()
    return module


def create_lesson(user, course_id, module_id, title, body="", position=None, published=False):
    course = access.editable_course(user, course_id)
    module = _module(course, module_id)
    if position is None:
        position = _next_position(Lesson.position, Lesson.module_id == module.id)
    lesson = Lesson(
        module_id=module.id, course_id=course.id, title=title, body=body, position=position, published=published
    )
    db.session.add(lesson)
    db.session.flush()
    if published:
        _announce(course, "lesson_added", lesson=LessonSchema().dump(lesson))
        progress.invalidate_course(course.id)  # the total moved
    commit()
    return lesson


def update_lesson(user, course_id, lesson_id, changes):
    course = access.editable_course(user, course_id)
    lesson = access.course_lesson(course, lesson_id, published_only=False)
    was_published = lesson.published
    for field, value in changes.items():
        setattr(lesson, field, value)
    if changes and (was_published or lesson.published):
        db.session.flush()
        change = "lesson_updated" if lesson.published else "lesson_removed"
        _announce(course, change, lesson=LessonSchema().dump(lesson))
        progress.invalidate_course(course.id)
    commit()
    return lesson


def announce(user, course_id, title, body=""):
    """An announcement to every student with an active enrolment, live in the course room."""
    course = access.editable_course(user, course_id)
    announcement = {"title": title, "body": body, "author_id": user.id, "created_at": iso(utcnow())}
    _announce(course, "announcement", announcement=announcement)
    commit()
    return announcement
