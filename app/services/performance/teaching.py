"""Who an educator teaches: the cohorts admins assign to them.

An educator builds sections only from an assigned cohort and enrols only students who
belong to one of their assigned cohorts; anyone else answers as if they did not exist
(422, the same as an unknown id), so an educator cannot probe who is where. An admin may
enrol any student anywhere. Taking a cohort away stops new enrolments from it; the
enrolments already made stay (they carry the grades and attendance already recorded).
"""

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortMember, EducatorCohort, Role, User
from app.services.shared.errors import Invalid, NotFound
from app.services.shared.transaction import commit


def _educator(educator_id):
    educator = db.session.get(User, educator_id)
    if educator is None or educator.role != Role.EDUCATOR:
        raise NotFound("educator_not_found", f"No educator with id {educator_id}.")
    return educator


def assigned_cohorts(educator_id):
    """The cohorts assigned to the educator, by id (404 for no such educator)."""
    _educator(educator_id)
    return db.session.scalars(
        select(Cohort)
        .join(EducatorCohort, EducatorCohort.cohort_id == Cohort.id)
        .where(EducatorCohort.educator_id == educator_id)
        .order_by(Cohort.id)
    ).all()


def assign(educator_id, cohort_id):
    """Assign a cohort to an educator; assigning it again changes nothing."""
    _educator(educator_id)
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise Invalid(details={"cohort_id": [f"No cohort with id {cohort_id}."]})
    if not is_assigned(educator_id, cohort_id):
        db.session.add(EducatorCohort(educator_id=educator_id, cohort_id=cohort_id))
        commit()
    return cohort


def unassign(educator_id, cohort_id):
    """Take a cohort away from an educator (404 when it was not theirs)."""
    _educator(educator_id)
    row = db.session.scalar(
        select(EducatorCohort).where(EducatorCohort.educator_id == educator_id, EducatorCohort.cohort_id == cohort_id)
    )
    if row is None:
        raise NotFound("cohort_not_found", f"Cohort {cohort_id} is not assigned to educator {educator_id}.")
    db.session.delete(row)
    commit()


def is_assigned(educator_id, cohort_id):
    return (
        db.session.scalar(
            select(EducatorCohort.id).where(
                EducatorCohort.educator_id == educator_id, EducatorCohort.cohort_id == cohort_id
            )
        )
        is not None
    )


def may_use_cohort(user, cohort_id):
    """Whether `user` may build a section from the cohort: an admin any, an educator theirs."""
    return user.role == Role.ADMIN or is_assigned(user.id, cohort_id)


def may_enrol(user, student_id):
    """Whether `user` may put the student in a section: an admin anyone, an educator only a
    member of one of their assigned cohorts."""
    if user.role == Role.ADMIN:
        return True
    return (
        db.session.scalar(
            select(CohortMember.id)
            .join(EducatorCohort, EducatorCohort.cohort_id == CohortMember.cohort_id)
            .where(EducatorCohort.educator_id == user.id, CohortMember.user_id == student_id)
            .limit(1)
        )
        is not None
    )
