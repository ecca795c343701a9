"""Who may see whom. Every "is this student mine?" question is answered here.

Other people's objects answer 404, not 403: saying "it exists" would leak their data.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import CohortMember, Role, User
from app.services.shared.errors import NotFound


def student_not_found(student_id):
    return NotFound("student_not_found", f"No student with id {student_id} among yours.")


def can_see_student(user, student):
    """A student sees themselves, a mentor their own students, an admin everyone."""
    if student is None or student.role != Role.STUDENT:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.STUDENT:
        return user.id == student.id
    if user.role == Role.MENTOR:
        return student.mentor_id == user.id
    return False


def can_see_student_id(user, student_id):
    return can_see_student(user, db.session.get(User, student_id))


def visible_student(user, student_id):
    """The student if `user` may see them, else NotFound."""
    student = db.session.get(User, student_id)
    if not can_see_student(user, student):
        raise student_not_found(student_id)
    return student


def mentor_student(mentor, student_id):
    """One of this mentor's own students (admins may act on any student), else 404."""
    return visible_student(mentor, student_id)


def mentor_student_ids(mentor_id):
    return list(
        db.session.scalars(
            select(User.id).where(User.mentor_id == mentor_id, User.role == Role.STUDENT, User.is_active.is_(True))
        )
    )


def visible_student_ids(user):
    """Ids of the students `user` may see; None means all (admin)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.STUDENT:
        return [user.id]
    if user.role == Role.MENTOR:
        return mentor_student_ids(user.id)
    return []


def cohort_ids_of(user_id):
    return list(db.session.scalars(select(CohortMember.cohort_id).where(CohortMember.user_id == user_id)))


def scope_to_students(query, column, user, student_id=None):
    """Limit `query` to rows whose `column` is a student `user` may see (or one of them, 404 if not)."""
    if student_id is not None:
        return query.where(column == visible_student(user, student_id).id)
    ids = visible_student_ids(user)
    return query if ids is None else query.where(column.in_(ids))
