"""Every Socket.IO event the server sends, by name: the one registry.

Emitters use these constants, and outbox.record_many() and emit() refuse a name that is not
here, so an event cannot go out without being registered; docs/realtime.md's table lists
exactly these (tests/docs/test_docs_match_code.py). Rooms are in rooms.py.
"""

# The socket's own (sent to one sid by app/sockets and membership.py)
SESSION = "session"
SESSION_ENDED = "session_ended"

# Notifications and the live feed
NOTIFICATION = "notification"
NOTIFICATIONS_READ = "notifications:read"
ACTIVITY_NEW = "activity:new"

# Crisis alerts and triage: an alert's new state (acknowledged, resolved, escalated, moved),
# an unreviewed concern told to the admins
ALERT_UPDATED = "alert:updated"
CONCERN_ESCALATED = "concern:escalated"

# The mentoring portal
STUDENT_REGISTERED = "student:registered"
INSIGHTS_READY = "insights:ready"
ENTRY_CREATED = "entry:created"
ENTRY_UPDATED = "entry:updated"
ENTRY_STATUS_CHANGED = "entry:statusChanged"
COMMENT_ADDED = "comment:added"
TASK_ASSIGNED = "task:assigned"
TASK_UPDATED = "task:updated"
SCHEDULE_CREATED = "schedule:created"
SCHEDULE_ASSIGNED = "schedule:assigned"
SCHEDULE_UPDATED = "schedule:updated"
ATTENDANCE_UPDATED = "attendance:updated"
METRICS_UPDATED = "metrics:updated"

# The student dashboard
DASHBOARD_UPDATED = "dashboard:updated"

# The academy
COURSE_UPDATED = "course:updated"
PROGRESS_UPDATED = "progress:updated"
ENROLMENT_CONFIRMED = "enrolment:confirmed"
PAYMENT_APPROVED = "payment:approved"
PAYMENT_REJECTED = "payment:rejected"
PAYMENT_CHANGED = "payment:changed"  # to the admins: the pending queue moved
CERTIFICATE_ISSUED = "certificate:issued"

# Educator performance (ATTENDANCE_UPDATED too, to the educator's room)
GRADE_UPDATED = "grade:updated"
EXAM_CREATED = "exam:created"
ROSTER_UPDATED = "roster:updated"

ALL = frozenset(value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str))


_ALLOWED_HERE = set()  # names a test or tool added for itself (never sent by Pulse)


def allow(event):
    """Let this process send a private event (the test suite's ordering marker), not a Pulse one."""
    _ALLOWED_HERE.add(event)


def registered(event):
    """`event`, if it is registered; ValueError otherwise (register it here and in docs/realtime.md)."""
    if event not in ALL and event not in _ALLOWED_HERE:
        raise ValueError(f"{event!r} is not a registered event: add it to app/services/realtime/events.py")
    return event
