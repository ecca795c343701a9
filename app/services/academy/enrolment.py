"""Enrolling: a free course is active at once, a paid one waits for its payment (payments.py).

An enrolment that becomes active or ends changes the student's rooms: after the commit
every web process re-joins that student's open sockets (app/services/realtime/membership.py).
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Enrolment, Payment, Role, utcnow
from app.models.academy import ACTIVE, ENDED, PAYMENT_APPROVED, PENDING_PAYMENT
from app.services.academy import access, legal_names, notices, progress, summary
from app.services.dashboard.queue import queue_refresh
from app.services.identity.rooms import refresh_rooms
from app.services.shared.errors import Conflict, Forbidden, NotFound
from app.services.shared.transaction import after_commit, commit, rollback


def _rooms_changed(student_id):
    after_commit(lambda: refresh_rooms(student_id))


def activate(enrolment, now=None):
    """Make an enrolment active (in the open transaction) and tell the student."""
    enrolment.status = ACTIVE
    enrolment.activated_at = now or utcnow()
    enrolment.ended_at = None
    course = enrolment.course
    notices.tell(
        enrolment.student,
        "enrolment:confirmed",
        f"You are enrolled in {course.title}",
        "Your enrolment is active: the course is open to you.",
        {"enrolment_id": enrolment.id, "course_id": course.id, "status": ACTIVE},
    )
    _changed(enrolment)


def _changed(enrolment):
    _rooms_changed(enrolment.student_id)
    progress.invalidate_student(enrolment.student_id)
    summary.changed(enrolment.course_id)
    queue_refresh([enrolment.student_id], "course_enrolment", "normal")


def enrol(student, course_id, legal_name=None):
    """201 with the enrolment: active for a free course, pending_payment for a paid one; 409 if already enrolled.
    The first enrolment fixes the student's legal name (legal_names.py)."""
    if student.role != Role.STUDENT:
        raise Forbidden("students_only", "Only students enrol in courses.")
    course = access.visible_course(student, course_id)
    if not course.published:
        raise NotFound("course_not_found", f"No course with id {course_id}.")
    legal_names.settle_at_enrolment(student, legal_name)
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.student_id == student.id).with_for_update()
    )
    if enrolment is not None and enrolment.status != ENDED:
        raise _already(enrolment.id)
    if enrolment is None:
        enrolment = Enrolment(course_id=course.id, student_id=student.id, status=PENDING_PAYMENT)
        db.session.add(enrolment)
    enrolment.status, enrolment.ended_at = PENDING_PAYMENT, None
    db.session.flush()
    if course.is_free or paid(enrolment.id):  # paid once, paid for good: an ended one re-opens active
        activate(enrolment)
    else:
        progress.invalidate_student(student.id)
    try:
        commit()
    except IntegrityError:  # a concurrent request enrolled first
        rollback()
        raise _already(None) from None
    return enrolment


def paid(enrolment_id):
    """True when the enrolment has an approved payment: it never asks for another."""
    approved = select(Payment.id).where(Payment.enrolment_id == enrolment_id, Payment.status == PAYMENT_APPROVED)
    return db.session.scalar(approved) is not None


def _already(enrolment_id):
    details = {"enrolment_id": [str(enrolment_id)]} if enrolment_id else {}
    return Conflict("already_enrolled", "You are already enrolled in this course.", details)


def end(user, enrolment_id, now=None):
    """End an enrolment (the student, the course's educator or an admin); its sockets leave the course room."""
    enrolment = access.enrolment_for(user, enrolment_id, editors_too=True)
    if enrolment.status == ENDED:
        return enrolment
    enrolment.status = ENDED
    enrolment.ended_at = now or utcnow()
    _changed(enrolment)
    commit()
    return enrolment
