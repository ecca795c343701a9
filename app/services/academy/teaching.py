"""What an educator sees of the courses they own: the list with each course's summary
(summary.compute's figures), and one course's enrolments with every student's progress
(progress.progress_of, as the student's own course list shows it).

Another educator's course is a 404 (access.editable_course), as in the API.
"""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Course, Enrolment, Lesson, LessonCompletion, User
from app.services.academy import access, progress, summary


def owned(user):
    """The caller's courses, newest first, each as {"course", "summary"}."""
    courses = db.session.scalars(select(Course).where(Course.owner_id == user.id).order_by(Course.id.desc())).all()
    return [{"course": c, "summary": summary.compute(c.id)} for c in courses]


def course(user, course_id):
    """The course with every module and lesson (published or not), for its editor; 404 otherwise."""
    return access.editable_course(user, course_id)


def course_summary(user, course_id):
    """summary.compute of a course the caller edits (the figures of progress:updated)."""
    course = access.editable_course(user, course_id)
    return summary.compute(course.id)


def enrolments(user, course_id):
    """Every enrolment of the course (any status), newest first, with the student's name and
    progress {"completed", "total", "percent"}: two queries besides the list."""
    course = access.editable_course(user, course_id)
    rows = db.session.execute(
        select(Enrolment, User.name, User.email)
        .join(User, User.id == Enrolment.student_id)
        .where(Enrolment.course_id == course.id)
        .order_by(Enrolment.id.desc())
    ).all()
    published = select(Lesson.id).where(Lesson.course_id == course.id, Lesson.published.is_(True))
    total = db.session.scalar(select(func.count()).select_from(published.subquery()))
    done = dict(
        db.session.execute(
            select(LessonCompletion.student_id, func.count(LessonCompletion.id))
            .where(LessonCompletion.lesson_id.in_(published))
            .group_by(LessonCompletion.student_id)
        ).all()
    )
    return [
        {
            "enrolment": e,
            "name": name,
            "email": email,
            "progress": progress.progress_of(e, done.get(e.student_id, 0), total),
        }
        for e, name, email in rows
    ]
