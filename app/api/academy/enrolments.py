"""Enrolment, payments and progress."""

from flask import request
from flask_jwt_extended import current_user

from app.api.academy import blp
from app.api.auth_helpers import role_required
from app.api.idempotent import honours_idempotency_key, idempotent
from app.schemas.academy import (
    CourseEnrolSchema,
    EnrolmentEnvelope,
    PaymentDecisionSchema,
    PaymentEnvelope,
    PaymentPageSchema,
    PaymentQuerySchema,
    PaymentReportSchema,
    ProgressEnvelope,
    StudentCoursesSchema,
)
from app.services.academy import enrolment, learning, payments
from app.services.shared import idempotency


@blp.post("/courses/<int:course_id>/enrol")
@role_required("student")
@blp.arguments(CourseEnrolSchema, required=False)
@idempotent
@blp.response(201, EnrolmentEnvelope)
def enrol(body, course_id):
    """Enrol: a free course is active at once, a paid one is pending_payment; 409 if already enrolled.

    Optional body `{"legal_name"}`: the name certificates print. The first enrolment fixes it
    (without one, the display name at that moment); sending a different one later is 409
    `legal_name_fixed`: only an admin changes it (`PUT /admin/users/<id>/legal-name`).
    """
    return {"enrolment": enrolment.enrol(current_user, course_id, (body or {}).get("legal_name"))}


@blp.post("/enrolments/<int:enrolment_id>/end")
@role_required("student", "educator", "admin")
@blp.response(200, EnrolmentEnvelope)
def end_enrolment(enrolment_id):
    """End an enrolment (the student, the course's educator or an admin); course events stop at once."""
    return {"enrolment": enrolment.end(current_user, enrolment_id)}


@blp.post("/enrolments/<int:enrolment_id>/payment")
@role_required("student")
@blp.arguments(PaymentReportSchema)
@honours_idempotency_key  # payments.report applies it, scoped to the enrolment
@blp.response(201, PaymentEnvelope)
def report_payment(body, enrolment_id):
    """Report a payment (reference, amount) for a pending enrolment; honours Idempotency-Key."""
    result = payments.report(
        current_user, enrolment_id, body["reference"], body["amount"], request.headers.get("Idempotency-Key")
    )
    return result[0], result[1], idempotency.replay_headers(result)


@blp.get("/admin/payments")
@role_required("admin")
@blp.arguments(PaymentQuerySchema, location="query")
@blp.response(200, PaymentPageSchema)
def list_payments(query):
    """Payments by status (pending by default), oldest first."""
    return {"items": payments.list_payments(query["status"])}


@blp.post("/admin/payments/<int:payment_id>/approve")
@role_required("admin")
@blp.arguments(PaymentDecisionSchema, required=False)
@blp.response(200, PaymentEnvelope)
def approve_payment(body, payment_id):
    """Approve a reported payment: the enrolment becomes active and the student is told."""
    return {"payment": payments.approve(current_user, payment_id, (body or {}).get("note"))}


@blp.post("/admin/payments/<int:payment_id>/reject")
@role_required("admin")
@blp.arguments(PaymentDecisionSchema, required=False)
@blp.response(200, PaymentEnvelope)
def reject_payment(body, payment_id):
    """Reject a reported payment (optional note); the student may report again."""
    return {"payment": payments.reject(current_user, payment_id, (body or {}).get("note"))}


@blp.post("/courses/<int:course_id>/lessons/<int:lesson_id>/complete")
@role_required("student")
@blp.response(200, ProgressEnvelope)
def complete_lesson(course_id, lesson_id):
    """Mark a lesson complete (idempotent); answers the course progress."""
    return {"progress": learning.complete(current_user, course_id, lesson_id)}


@blp.get("/student/courses")
@role_required("student")
@blp.response(200)
# The service answers the already-serialised (cached) body, so the schema is only documented.
@blp.doc(
    responses={
        "200": {
            "description": "The student's courses",
            "content": {"application/json": {"schema": StudentCoursesSchema}},
        }
    }
)
def student_courses():
    """The student's enrolments with course, progress and certificate, from the Redis cache."""
    return learning.student_courses(current_user)
