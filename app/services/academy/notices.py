"""Reach a student about their enrolment, payment or certificate: the live event, the
notification in the app and the email, each honouring the student's preferences.

Everything is added to the caller's transaction: the outbox publishes after commit and the
email is sent by a job after commit, so a failing mail server never fails the request.
"""

from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.notifications.mail import queue as mail
from app.services.realtime import events, outbox
from app.services.realtime.rooms import student_room

# event -> notification type and email template (templates under app/templates/email/)
KINDS = {
    events.ENROLMENT_CONFIRMED: notification_types.ENROLMENT_CONFIRMED,
    events.PAYMENT_APPROVED: notification_types.PAYMENT_APPROVED,
    events.PAYMENT_REJECTED: notification_types.PAYMENT_REJECTED,
    events.CERTIFICATE_ISSUED: notification_types.CERTIFICATE_ISSUED,
}


def tell(student, event, title, body, data, email_context=None):
    """The live event to the student's room, the in-app notification and the email."""
    type = KINDS[event]
    outbox.record(event, student_room(student.id), data)
    notifications.notify(student, type, title, body, data)
    mail.send(student, type, type, {"title": title, "body": body, **data, **(email_context or {})})
