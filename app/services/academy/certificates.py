"""Certificates: issued once per student and course by a job when the course reaches 100%.

The PDF is made with fpdf2 and stored in the database, so it survives restarts and needs
no file storage. Anyone holding the code can verify it (name, course, date: nothing more).
The name is the student's legal name as it was when the certificate was issued.
"""

import secrets
from datetime import UTC

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Certificate, Enrolment, Role, utcnow
from app.services.academy import legal_names, notices, progress
from app.services.shared.errors import NotFound
from app.services.shared.transaction import commit, rollback

VERIFY_PATH = "/verify/"  # the public page (app/web/public); the API has /api/v1/certificates/verify/<code>


def new_code():
    """16 hex characters in four groups: unguessable, easy to read aloud."""
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _latin1(text):
    # The PDF's built-in fonts are Latin-1; anything else prints as "?" instead of failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(name, course, issued_at, code):
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title("Certificate of completion")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 32)
    pdf.cell(0, 30, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 16)
    pdf.cell(0, 14, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 26)
    pdf.cell(0, 18, _latin1(name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 16)
    pdf.cell(0, 14, "has completed the course", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 14, _latin1(course), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 14, f"on {issued_at.astimezone(UTC):%d %B %Y}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Courier", "", 12)
    pdf.cell(0, 10, f"Verification code: {code}", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def issue(enrolment_id, now=None):
    """Issue the certificate if the course is complete and none exists. Returns (certificate, created)."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.completed_at is None:
        return None, False
    existing = _for(enrolment.student_id, enrolment.course_id)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    student, course = enrolment.student, enrolment.course
    code = new_code()
    # The legal name, never the display name the student picks (legal_names.py).
    name = legal_names.for_certificate(student)
    certificate = Certificate(
        student_id=student.id,
        course_id=course.id,
        code=code,
        student_name=name,
        course_title=course.title,
        pdf=render_pdf(name, course.title, now, code),
        issued_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # a concurrent run issued it first
        rollback()
        return _for(enrolment.student_id, enrolment.course_id), False
    notices.tell(
        student,
        "certificate:issued",
        f"Your certificate for {course.title}",
        "Congratulations on completing the course.",
        {"certificate_id": certificate.id, "course_id": course.id, "code": code},
        {"verify_path": VERIFY_PATH + code},
    )
    progress.invalidate_student(student.id)
    commit()
    return certificate, True


def _for(student_id, course_id):
    return db.session.scalar(
        select(Certificate).where(Certificate.student_id == student_id, Certificate.course_id == course_id)
    )


def verify(code):
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code.strip().upper()))
    if certificate is None:
        raise NotFound("certificate_not_found", "No certificate has this code.")
    return certificate


def for_download(user, certificate_id):
    """The certificate's owner (or an admin) may download the PDF; anyone else gets a 404."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not (certificate.student_id == user.id or user.role == Role.ADMIN):
        raise NotFound("certificate_not_found", f"No certificate with id {certificate_id}.")
    return certificate
