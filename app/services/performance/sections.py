"""Sections: an educator's classes, and who is enrolled in them when."""

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortMember, Role, Section, SectionEnrolment, User, utcnow
from app.services.performance import access, changes, live, teaching
from app.services.shared.errors import Conflict, Invalid, NotFound
from app.services.shared.transaction import commit


def list_sections(user, term=None):
    query = select(Section).order_by(Section.id)
    if user.role != Role.ADMIN:
        query = query.where(Section.educator_id == user.id)
    if term:
        query = query.where(Section.term == term)
    return db.session.scalars(query).all()


def _clean_subjects(subjects):
    return list(dict.fromkeys(s.strip() for s in subjects if s.strip()))


def _educator_for(user, educator_id):
    if user.role != Role.ADMIN:
        return user.id
    educator = db.session.get(User, educator_id) if educator_id else None
    if educator is None or educator.role != Role.EDUCATOR:
        raise Invalid(details={"educator_id": ["An admin names the section's educator (an educator's id)."]})
    return educator.id


def create(user, name, subjects, term="", cohort_id=None, educator_id=None, now=None):
    """A new section; with a cohort, its current members are enrolled from now."""
    now = now or utcnow()
    # An educator's unassigned cohort answers like an unknown one: its roster is not theirs.
    if cohort_id is not None and (
        db.session.get(Cohort, cohort_id) is None or not teaching.may_use_cohort(user, cohort_id)
    ):
        raise Invalid(details={"cohort_id": [f"No cohort with id {cohort_id} among yours."]})
    section = Section(
        educator_id=_educator_for(user, educator_id),
        name=name,
        subjects=_clean_subjects(subjects),
        term=term,
        cohort_id=cohort_id,
    )
    db.session.add(section)
    db.session.flush()
    joined = []
    if cohort_id is not None:
        joined = db.session.execute(
            select(User.id, User.name)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort_id, User.role == Role.STUDENT)
            .order_by(User.id)
        ).all()
        for student_id, _ in joined:
            db.session.add(SectionEnrolment(section_id=section.id, student_id=student_id, enrolled_at=now))
    told = [changes.roster("enrolled", sid, name) for sid, name in joined[: changes.LIMIT]]
    live.changed(section, "roster:updated" if joined else None, told, total=len(joined))
    commit()
    return section


def update(user, section_id, fields):
    section = access.visible_section(user, section_id, lock=True)
    for key in ("name", "term"):
        if key in fields:
            setattr(section, key, fields[key])
    if "subjects" in fields:
        section.subjects = _clean_subjects(fields["subjects"])
    live.changed(section)
    commit()
    return section


def enrol(user, section_id, student_id, enrolled_at=None):
    """Enrol a student from `enrolled_at` (now by default); a student who left is enrolled again."""
    section = access.visible_section(user, section_id, lock=True)
    student = db.session.get(User, student_id)
    # A student outside the educator's assigned cohorts answers like an unknown id (no probing).
    if (
        student is None
        or student.role != Role.STUDENT
        or not student.is_active
        or not teaching.may_enrol(user, student_id)
    ):
        raise Invalid(details={"student_id": [f"No active student with id {student_id}."]})
    enrolment = db.session.scalar(
        select(SectionEnrolment).where(
            SectionEnrolment.section_id == section.id, SectionEnrolment.student_id == student_id
        )
    )
    if enrolment is not None and enrolment.left_at is None:
        raise Conflict("already_enrolled", "This student is already enrolled in this section.")
    if enrolment is None:
        enrolment = SectionEnrolment(section_id=section.id, student_id=student_id)
        db.session.add(enrolment)
    enrolment.enrolled_at = enrolled_at or utcnow()
    enrolment.left_at = None
    live.changed(section, "roster:updated", [changes.roster("enrolled", student.id, student.name)])
    commit()
    return enrolment


def unenrol(user, section_id, student_id, now=None):
    """The student leaves the section now: their days after this no longer count."""
    section = access.visible_section(user, section_id, lock=True)
    enrolment = db.session.scalar(
        select(SectionEnrolment).where(
            SectionEnrolment.section_id == section.id,
            SectionEnrolment.student_id == student_id,
            SectionEnrolment.left_at.is_(None),
        )
    )
    if enrolment is None:
        raise NotFound("enrolment_not_found", f"Student {student_id} is not enrolled in this section.")
    enrolment.left_at = max(now or utcnow(), enrolment.enrolled_at)
    name = db.session.scalar(select(User.name).where(User.id == student_id))
    live.changed(section, "roster:updated", [changes.roster("left", student_id, name)])
    commit()


def current_enrolments(section_id):
    return db.session.scalars(
        select(SectionEnrolment)
        .where(SectionEnrolment.section_id == section_id, SectionEnrolment.left_at.is_(None))
        .order_by(SectionEnrolment.student_id)
    ).all()
