"""Completing lessons, and the student's cached course list.

Completing a lesson twice changes nothing (a unique row per student and lesson). A new
completion updates the enrolment, sends `progress:updated` to the student's room, the
coalesced course summary to the educator, queues the student's dashboard refresh, and at
100% queues the certificate job.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Enrolment, LessonCompletion, utcnow
from app.models.academy import ACTIVE
from app.schemas.academy import StudentCoursesSchema
from app.services.academy import access, progress, summary
from app.services.dashboard.queue import queue_refresh
from app.services.realtime import events, outbox
from app.services.realtime.rooms import student_room
from app.services.shared import cache
from app.services.shared.errors import Forbidden
from app.services.shared.queues import enqueue
from app.services.shared.transaction import after_commit, commit

CERTIFICATE_JOB = "app.jobs.academy.issue_certificate"


def _active_enrolment(student, course):
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.student_id == student.id)
        .with_for_update()  # two completions at once take turns on the percent
    )
    if enrolment is None or enrolment.status != ACTIVE:
        raise Forbidden("not_enrolled", "Enrol in this course (and have the enrolment active) to complete lessons.")
    return enrolment


def complete(student, course_id, lesson_id, now=None):
    """Mark a published lesson complete; returns the progress (unchanged if it was already complete)."""
    now = now or utcnow()
    course = access.visible_course(student, course_id)
    lesson = access.course_lesson(course, lesson_id)
    enrolment = _active_enrolment(student, course)
    done = db.session.scalar(
        select(LessonCompletion.id).where(
            LessonCompletion.student_id == student.id, LessonCompletion.lesson_id == lesson.id
        )
    )
    if done is not None:
        db.session.rollback()
        return progress.progress_of(enrolment)
    try:
        with db.session.begin_nested():
            db.session.add(
                LessonCompletion(student_id=student.id, lesson_id=lesson.id, course_id=course.id, completed_at=now)
            )
    except IntegrityError:  # the same completion raced us; it already counted
        db.session.rollback()
        return progress.progress_of(enrolment)
    completed, total = progress.counts(course.id, student.id)
    raw = progress.raw_percent(completed, total)
    enrolment.best_percent = max(enrolment.best_percent, raw)
    enrolment.last_activity_at = now
    if raw == 100 and enrolment.completed_at is None:
        enrolment.completed_at = now
        enrolment_id = enrolment.id
        after_commit(lambda: enqueue(CERTIFICATE_JOB, enrolment_id))
    shown = progress.progress_of(enrolment, completed, total)
    outbox.record(events.PROGRESS_UPDATED, student_room(student.id), {"lesson_id": lesson.id, "progress": shown})
    progress.invalidate_student(student.id)
    summary.changed(course.id)
    queue_refresh([student.id], "lesson_completed", "normal")  # in the transaction: committed with it
    commit()
    return shown


def student_courses(student):
    """{"items": [{"course","enrolment","progress","certificate"}]}, from Redis when cached."""
    key = cache.student_courses_key(student.id)
    cached = cache.get_json(key)
    if cached is not None:
        return cached
    answer = StudentCoursesSchema().dump({"items": progress.compute_student_courses(student.id)})
    cache.set_json(key, answer, cache.student_courses_ttl())
    return answer


def completed_lesson_ids(student_id, course_id):
    """The lessons of a course the student has completed (a page ticks them)."""
    return set(
        db.session.scalars(
            select(LessonCompletion.lesson_id).where(
                LessonCompletion.student_id == student_id, LessonCompletion.course_id == course_id
            )
        )
    )
