"""Every notification type Pulse sends, in one place: the senders name their type from here
and the preferences offer exactly these (a type sent but missing here could not be chosen).

A new type: add a constant and put it in ALL (and in MANDATORY if a user must never be able
to turn it off). tests/services/notifications/test_types.py checks that every type the code
can send is here.
"""

ATTENDANCE_MARKED = "attendance_marked"
AT_RISK = "at_risk"
CERTIFICATE_ISSUED = "certificate_issued"
COMMENT_ADDED = "comment_added"
CRISIS_ALERT = "crisis_alert"
CRISIS_CONCERN = "crisis_concern"  # the review tier: a risk signal for the mentor to look at
ENROLMENT_CONFIRMED = "enrolment_confirmed"
ENTRY_CREATED = "entry_created"
ENTRY_RESUBMITTED = "entry_resubmitted"
ENTRY_STATUS_CHANGED = "entry_status_changed"
ENTRY_UPDATED = "entry_updated"
ESCALATION = "escalation"
EXPORT_READY = "export_ready"
PAYMENT_APPROVED = "payment_approved"
PAYMENT_REJECTED = "payment_rejected"
PAYMENT_REPORTED = "payment_reported"
SCHEDULE_ASSIGNED = "schedule_assigned"
SCHEDULE_UPDATED = "schedule_updated"
SECURITY = "security"
STUDENT_REGISTERED = "student_registered"
TASK_ASSIGNED = "task_assigned"
TASK_COMPLETED = "task_completed"
TASK_REOPENED = "task_reopened"
TASK_UPDATED = "task_updated"

ALL = (
    ATTENDANCE_MARKED,
    AT_RISK,
    CERTIFICATE_ISSUED,
    COMMENT_ADDED,
    CRISIS_ALERT,
    CRISIS_CONCERN,
    ENROLMENT_CONFIRMED,
    ENTRY_CREATED,
    ENTRY_RESUBMITTED,
    ENTRY_STATUS_CHANGED,
    ENTRY_UPDATED,
    ESCALATION,
    EXPORT_READY,
    PAYMENT_APPROVED,
    PAYMENT_REJECTED,
    PAYMENT_REPORTED,
    SCHEDULE_ASSIGNED,
    SCHEDULE_UPDATED,
    SECURITY,
    STUDENT_REGISTERED,
    TASK_ASSIGNED,
    TASK_COMPLETED,
    TASK_REOPENED,
    TASK_UPDATED,
)
# Never muted, never in a digest (they are urgent), never capped: the safety of a student
# (crisis alerts, concerns and their escalations) and the security of an account outweigh a quiet inbox.
MANDATORY = frozenset({CRISIS_ALERT, CRISIS_CONCERN, ESCALATION, SECURITY})
