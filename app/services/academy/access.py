"""Which courses the caller may see or edit: another educator's course is a 404, as is an unpublished one."""

from sqlalchemy import select

from app.extensions import db
from app.models import Course, Enrolment, Lesson, Role
from app.models.academy import ACTIVE
from app.services.shared.errors import NotFound


def _not_found(course_id):
    return NotFound("course_not_found", f"No course with id {course_id}.")


def can_edit(user, course):
    return user.role == Role.ADMIN or (user.role == Role.EDUCATOR and course.owner_id == user.id)


def editable_course(user, course_id):
    """The course if the caller owns it (educator) or is an admin; 404 otherwise."""
    course = db.session.get(Course, course_id)
    if course is None or not can_edit(user, course):
        raise _not_found(course_id)
    return course


def visible_course(user, course_id):
    """Published courses for everyone signed in; unpublished ones only for their editors."""
    course = db.session.get(Course, course_id)
    if course is None or not (course.published or can_edit(user, course)):
        raise _not_found(course_id)
    return course


def actively_enrolled(user, course):
    """True when the user is a student with an active enrolment in the course."""
    return (
        db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course.id, Enrolment.student_id == user.id, Enrolment.status == ACTIVE
            )
        )
        is not None
    )


def course_lesson(course, lesson_id, published_only=True):
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != course.id or (published_only and not lesson.published):
        raise NotFound("lesson_not_found", f"No lesson with id {lesson_id} in this course.")
    return lesson


def enrolment_for(user, enrolment_id, editors_too=False):
    """The student's own enrolment (or, with editors_too, one in a course the caller edits); 404 otherwise."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is not None:
        if enrolment.student_id == user.id:
            return enrolment
        if editors_too and can_edit(user, enrolment.course):
            return enrolment
    raise NotFound("enrolment_not_found", f"No enrolment with id {enrolment_id}.")
