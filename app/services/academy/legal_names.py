"""The name a certificate prints: the student's legal name, not the display name they choose.

A display name is the student's to change at any time, so a certificate that printed it
(and a public check that vouched for it) would certify whatever name they liked. The legal
name is fixed at the student's first enrolment (the `legal_name` they send, else their
display name at that moment) and after that only an admin changes it. A certificate stores
the name it was issued with, so even an admin's correction leaves issued ones as printed.
"""

from app.extensions import db
from app.models import User
from app.services.shared.errors import Conflict, NotFound
from app.services.shared.transaction import commit


def settle_at_enrolment(student, legal_name=None):
    """In the open transaction: fix the student's legal name if they have none yet; 409 when
    they send one different from the one already fixed."""
    given = legal_name.strip() if isinstance(legal_name, str) and legal_name.strip() else None
    if student.legal_name is None:
        student.legal_name = given or student.name
    elif given is not None and given != student.legal_name:
        raise Conflict(
            "legal_name_fixed",
            "Your legal name is already set; ask an admin to correct it.",
            {"legal_name": ["Already set; only an admin can change it."]},
        )


def for_certificate(student):
    """The name to print; a student enrolled before legal names existed gets theirs fixed now."""
    if student.legal_name is None:
        student.legal_name = student.name
    return student.legal_name


def set_by_admin(user_id, legal_name):
    """An admin sets or corrects a user's legal name (certificates issued later print it)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", f"No user with id {user_id}.")
    user.legal_name = legal_name.strip()
    commit()
    return user
