"""Exams: one subject of a section, a date, total marks, and whether it is published."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Exam, Grade, Role, Section
from app.services.performance import access, changes, live
from app.services.shared.errors import Invalid
from app.services.shared.transaction import commit


def list_exams(user, section_id=None, subject=None, published=None):
    query = select(Exam).join(Section, Section.id == Exam.section_id).order_by(Exam.date, Exam.id)
    if user.role != Role.ADMIN:
        query = query.where(Section.educator_id == user.id)
    if section_id is not None:
        query = query.where(Exam.section_id == access.visible_section(user, section_id).id)
    if subject:
        query = query.where(Exam.subject == subject)
    if published is not None:
        query = query.where(Exam.published.is_(published))
    return db.session.scalars(query).all()


def _check_subject(section, subject):
    if subject not in section.subjects:
        raise Invalid(details={"subject": [f"Not a subject of this section (one of: {', '.join(section.subjects)})."]})


def create(user, section_id, subject, name, date, total_marks, published=False):
    """A new exam; the educator hears exam:created with the section's figures."""
    section = access.visible_section(user, section_id, lock=True)
    _check_subject(section, subject)
    exam = Exam(
        section_id=section.id, subject=subject, name=name, date=date, total_marks=total_marks, published=published
    )
    db.session.add(exam)
    db.session.flush()  # its id, for the event
    live.changed(section, "exam:created", [changes.exam(exam, section)])
    commit()
    return exam


def update(user, exam_id, fields):
    exam = access.visible_exam(user, exam_id, lock=True)
    section = db.session.get(Section, exam.section_id)
    if "subject" in fields:
        _check_subject(section, fields["subject"])
    if "total_marks" in fields:
        top = db.session.scalar(select(func.max(Grade.score)).where(Grade.exam_id == exam.id))
        if top is not None and top > fields["total_marks"]:
            raise Invalid(details={"total_marks": [f"A grade of {top:g} is above it; change that grade first."]})
    for key, value in fields.items():
        setattr(exam, key, value)
    live.changed(section, "grade:updated")
    commit()
    return exam


def delete(user, exam_id):
    exam = access.visible_exam(user, exam_id, lock=True)
    section = db.session.get(Section, exam.section_id)
    db.session.delete(exam)
    live.changed(section, "grade:updated")
    commit()
