"""Who sees which section: an educator their own (others' answer 404), an admin all."""

from sqlalchemy import select

from app.extensions import db
from app.models import Exam, Role, Section, SectionEnrolment, User
from app.services.shared.errors import NotFound


def owns(user, section):
    return section is not None and (user.role == Role.ADMIN or section.educator_id == user.id)


def visible_section(user, section_id, lock=False):
    query = select(Section).where(Section.id == section_id)
    section = db.session.scalar(query.with_for_update() if lock else query)
    if not owns(user, section):
        raise NotFound("section_not_found", f"No section with id {section_id} among yours.")
    return section


def visible_exam(user, exam_id, lock=False):
    query = select(Exam).where(Exam.id == exam_id)
    exam = db.session.scalar(query.with_for_update() if lock else query)
    if exam is None or not owns(user, db.session.get(Section, exam.section_id)):
        raise NotFound("exam_not_found", f"No exam with id {exam_id} among yours.")
    return exam


def educator_scope(user):
    """The educator whose sections `user` sees; None for an admin (every section)."""
    return None if user.role == Role.ADMIN else user.id


def section_ids_for(user):
    query = select(Section.id).order_by(Section.id)
    if user.role != Role.ADMIN:
        query = query.where(Section.educator_id == user.id)
    return list(db.session.scalars(query))


def visible_student(user, student_id):
    """A student ever enrolled in one of the caller's sections (any student for an admin), else 404."""
    student = db.session.get(User, student_id)
    found = student is not None and student.role == Role.STUDENT
    if found and user.role != Role.ADMIN:
        found = (
            db.session.scalar(
                select(SectionEnrolment.id)
                .join(Section, Section.id == SectionEnrolment.section_id)
                .where(SectionEnrolment.student_id == student_id, Section.educator_id == user.id)
                .limit(1)
            )
            is not None
        )
    if not found:
        raise NotFound("student_not_found", f"No student with id {student_id} in your sections.")
    return student
