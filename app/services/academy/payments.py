"""Payments for paid courses, through a provider interface.

The built-in provider is manual: the student reports a payment reference and amount, an
admin checks it and approves (the enrolment becomes active) or rejects it (the student
may report again). A card provider would implement the same two calls and approve by
webhook instead of by an admin.
"""

from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Enrolment, Payment, utcnow
from app.models.academy import PAYMENT_APPROVED, PAYMENT_PENDING, PAYMENT_REJECTED, PENDING_PAYMENT
from app.services.academy import access, notices, progress
from app.services.academy import enrolment as enrolments
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.realtime import events, outbox
from app.services.realtime.rooms import ADMINS_ROOM
from app.services.shared import idempotency
from app.services.shared.errors import Conflict, Invalid, NotFound
from app.services.shared.transaction import commit, rollback


class PaymentProvider:
    """What a payment provider does for Pulse."""

    name = "base"

    def start(self, payment):
        """Called when a payment is reported; returns its status."""
        raise NotImplementedError


class ManualProvider(PaymentProvider):
    """Money moves outside Pulse; an admin confirms it arrived."""

    name = "manual"

    def start(self, payment):
        return PAYMENT_PENDING


PROVIDERS = {"manual": ManualProvider()}


def provider():
    return PROVIDERS[current_app.config.get("PAYMENT_PROVIDER", "manual")]


def _answer(payment):
    return {"payment": {"id": payment.id, "status": payment.status}}


def report(student, enrolment_id, reference, amount, idempotency_key=None):
    """The student reports a payment: 201 {"payment": {"id","status"}}; a retried key replays the first answer."""
    idempotency.check_key(idempotency_key)
    scope = f"payment:{student.id}:{enrolment_id}"
    body = {"reference": reference, "amount": f"{Decimal(amount):.2f}"}
    replayed = idempotency.replay(scope, idempotency_key, body)
    if replayed is not None:
        return replayed
    enrolment = access.enrolment_for(student, enrolment_id)
    db.session.execute(select(Enrolment.id).where(Enrolment.id == enrolment.id).with_for_update())
    if enrolment.status != PENDING_PAYMENT:
        raise Conflict("not_awaiting_payment", f"This enrolment is {enrolment.status}; it awaits no payment.")
    if enrolments.paid(enrolment.id):
        raise _already_paid()
    open_payment = db.session.scalar(
        select(Payment.id).where(Payment.enrolment_id == enrolment.id, Payment.status == PAYMENT_PENDING)
    )
    if open_payment is not None:
        raise Conflict("payment_pending", "A payment for this enrolment is already waiting for approval.")
    if Decimal(amount) != Decimal(enrolment.course.price):
        raise Invalid(details={"amount": [f"Must be the course price, {enrolment.course.price}."]})
    payment = Payment(enrolment_id=enrolment.id, reference=reference, amount=amount, provider=provider().name)
    db.session.add(payment)
    db.session.flush()
    payment.status = provider().start(payment)
    _queue_changed(payment)
    notifications.notify_admins(
        notification_types.PAYMENT_REPORTED,
        f"{student.name} reported a payment for {enrolment.course.title}",
        f"Reference {reference}, amount {amount}.",
        {"payment_id": payment.id, "enrolment_id": enrolment.id},
    )
    return idempotency.commit_remembered(scope, idempotency_key, body, _answer(payment), 201)


def list_payments(status=PAYMENT_PENDING):
    return db.session.scalars(select(Payment).where(Payment.status == status).order_by(Payment.id)).all()


def _already_paid():
    return Conflict("already_paid", "This enrolment is already paid for.")


def _pending(payment_id):
    payment = db.session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update())
    if payment is None:
        raise NotFound("payment_not_found", f"No payment with id {payment_id}.")
    if payment.status != PAYMENT_PENDING:
        raise Conflict("payment_decided", f"This payment was already {payment.status}.")
    return payment


def _approvable(payment_id):
    """The payment, if it and its enrolment both still wait: approving anything else would take
    money for nothing (an ended enrolment) or a second time (one already paid). 409 otherwise."""
    payment = _pending(payment_id)
    # The enrolment's lock orders this against an end, a re-enrolment and a report.
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.id == payment.enrolment_id).with_for_update())
    if enrolments.paid(enrolment.id):
        raise _already_paid()
    if enrolment.status != PENDING_PAYMENT:
        raise Conflict(
            "not_awaiting_payment",
            f"This enrolment is {enrolment.status}; approve nothing (reject the payment to tell the student).",
        )
    return payment


def _queue_changed(payment):
    """Every admin's open payments page hears that the pending queue changed (with the commit,
    through the outbox): one admin's decision takes the row off the others' pages."""
    outbox.record(events.PAYMENT_CHANGED, ADMINS_ROOM, {"payment_id": payment.id, "status": payment.status})


def _decide(admin, payment, status, note):
    payment.status, payment.note = status, note
    payment.decided_at, payment.decided_by = utcnow(), admin.id
    _queue_changed(payment)


def approve(admin, payment_id, note=None):
    """Approve a pending payment of an enrolment awaiting it: the enrolment becomes active and
    the student is told. 409 for anything else (decided, enrolment ended or already paid)."""
    payment = _approvable(payment_id)
    _decide(admin, payment, PAYMENT_APPROVED, note)
    enrolment = payment.enrolment
    course = enrolment.course
    notices.tell(
        enrolment.student,
        "payment:approved",
        f"Payment approved for {course.title}",
        note or "Thank you: your payment was received.",
        {"payment_id": payment.id, "enrolment_id": enrolment.id, "course_id": course.id, "status": PAYMENT_APPROVED},
    )
    enrolments.activate(enrolment)
    try:
        commit()
    except IntegrityError:  # uq_payments_one_approved_per_enrolment: another approval won
        rollback()
        raise _already_paid() from None
    return payment


def reject(admin, payment_id, note=None):
    """Reject a reported payment; the enrolment keeps waiting and the student may report again."""
    payment = _pending(payment_id)
    _decide(admin, payment, PAYMENT_REJECTED, note)
    enrolment = payment.enrolment
    course = enrolment.course
    notices.tell(
        enrolment.student,
        "payment:rejected",
        f"Payment not accepted for {course.title}",
        note or "We could not match your payment; please check the reference and report it again.",
        {"payment_id": payment.id, "enrolment_id": enrolment.id, "course_id": course.id, "status": PAYMENT_REJECTED},
    )
    progress.invalidate_student(enrolment.student_id)
    commit()
    return payment


def latest_by_enrolment(student_id):
    """{enrolment_id: the student's latest reported payment} (pages show "waiting for approval"
    or the rejection's reason beside a pending enrolment)."""
    rows = db.session.scalars(
        select(Payment)
        .join(Enrolment, Enrolment.id == Payment.enrolment_id)
        .where(Enrolment.student_id == student_id)
        .order_by(Payment.id)
    )
    return {payment.enrolment_id: payment for payment in rows}
