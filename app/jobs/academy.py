"""Academy jobs: certificates and the trailing course summary."""

from app.jobs.base import job
from app.services.academy import certificates, summary


@job
def issue_certificate(enrolment_id):
    """Issue the certificate for a completed enrolment (safe to run twice: one certificate)."""
    certificate, created = certificates.issue(enrolment_id)
    return {"enrolment_id": enrolment_id, "certificate_id": certificate.id if certificate else None, "created": created}


@job
def send_course_summary(course_id):
    """The trailing progress:updated summary of a burst of completions, to the course's educator."""
    figures = summary.send_trailing(course_id)
    return {"course_id": course_id, "enrolled": figures["enrolled"] if figures else None}
