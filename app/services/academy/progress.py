"""Course progress and the student's course list.

percent = completed published lessons / published lessons, rounded down, and it never goes
backwards: the enrolment keeps the highest percent ever shown (best_percent) and shows
max(recomputed, best). A student who reached 100% keeps 100% (and the certificate) when
lessons are added later; the new lessons still count in `completed`/`total`.
"""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Certificate, Course, Enrolment, Lesson, LessonCompletion
from app.models.academy import ENDED
from app.services.shared import cache
from app.services.shared.transaction import after_commit, before_commit


def counts(course_id, student_id):
    """(completed published lessons, published lessons) for one student in one course."""
    published = select(Lesson.id).where(Lesson.course_id == course_id, Lesson.published.is_(True))
    total = db.session.scalar(select(func.count()).select_from(published.subquery()))
    completed = db.session.scalar(
        select(func.count(LessonCompletion.id)).where(
            LessonCompletion.student_id == student_id, LessonCompletion.lesson_id.in_(published)
        )
    )
    return completed, total


def raw_percent(completed, total):
    return (completed * 100) // total if total else 0


def progress_of(enrolment, completed=None, total=None):
    """The progress as the API shows it (never below what was shown before)."""
    if completed is None or total is None:
        completed, total = counts(enrolment.course_id, enrolment.student_id)
    percent = 100 if enrolment.completed_at else max(raw_percent(completed, total), enrolment.best_percent)
    return {"course_id": enrolment.course_id, "completed": completed, "total": total, "percent": percent}


def _certificate(student_id, course_id):
    return db.session.scalar(
        select(Certificate).where(Certificate.student_id == student_id, Certificate.course_id == course_id)
    )


def compute_student_courses(student_id):
    rows = db.session.execute(
        select(Enrolment, Course)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.student_id == student_id, Enrolment.status != ENDED)
        .order_by(Enrolment.id)
    ).all()
    return [
        {
            "course": course,
            "enrolment": enrolment,
            "progress": progress_of(enrolment),
            "certificate": _certificate(student_id, course.id),
        }
        for enrolment, course in rows
    ]


def invalidate_student(*student_ids):
    """After commit: drop these students' cached course lists."""
    keys = [cache.student_courses_key(s) for s in student_ids if s]
    if keys:
        # Also just before the commit: the live event recorded earlier in the transaction
        # (progress:updated, certificate:issued, payment:approved) is published by an
        # after-commit step that runs before this one, and a page that refreshes on it must
        # not read the old cached list. The delete after the commit drops what a concurrent
        # reader cached in between.
        before_commit(lambda: cache.delete(*keys))
        after_commit(lambda: cache.delete(*keys))


def invalidate_course(course_id):
    """A course's title, price or lessons changed: every enrolled student's list is stale."""
    invalidate_student(*db.session.scalars(select(Enrolment.student_id).where(Enrolment.course_id == course_id)))
