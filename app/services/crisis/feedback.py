"""What the chatbot team retrains on: every resolved alert with its label, reasons and outcome,
then every reviewed concern (the review tier) with the mentor's verdict: `dismissed` is a
"not a crisis" example, `raised` a crisis one (column `crisis`); then every message
reported as a missed crisis (kind and source `missed_report`, outcome `missed`, crisis
`true`, categories the one the reporter chose, created_at the report's time).

The student's words leave Pulse only when an admin asks for them explicitly
(`include_text`), and that request is written to the audit log first.
"""

from sqlalchemy import select

from app.models import CrisisAlert, CrisisConcern, iso
from app.models.concerns import OPEN as CONCERN_OPEN
from app.services.activity import feed as activity
from app.services.crisis import missed
from app.services.shared import csv_safe, paging
from app.services.shared.transaction import commit

COLUMNS = [
    "alert_id",
    "student_id",
    "label",
    "confidence",
    "source",
    "categories",
    "severity",
    "outcome",
    "text_only_false_alarm",
    "created_at",
    "acknowledged_at",
    "resolved_at",
    # the review tier: "alert" rows, then "concern" rows (alert_id set when it was raised)
    "kind",
    "concern_id",
    "crisis",  # the label to train on: true, false, or empty when the outcome does not say
]
_CRISIS_OF_OUTCOME = {"supported": "true", "referred": "true", "false_alarm": "false"}


def _row(alert, include_text):
    intent = alert.intent
    row = [
        alert.id,
        alert.student_id,
        intent.intent,
        intent.confidence,
        alert.source,
        ";".join(alert.categories or []),
        alert.severity,
        alert.outcome or "",
        str(alert.outcome == "false_alarm" and alert.source == "text").lower(),
        iso(alert.created_at),
        iso(alert.acknowledged_at),
        iso(alert.resolved_at),
        "alert",
        "",
        _CRISIS_OF_OUTCOME.get(alert.outcome, ""),
    ]
    # What the check matched is the student's own words too: only with the text.
    return row + [";".join(alert.matched or []), intent.message] if include_text else row


def _concern_row(concern, include_text):
    intent = concern.intent
    row = [
        concern.alert_id or "",
        concern.student_id,
        intent.intent,
        intent.confidence,
        concern.source,
        ";".join(concern.categories or []),
        "",
        concern.status,  # dismissed or raised
        "false",
        iso(concern.created_at),
        iso(concern.reviewed_at),
        iso(concern.reviewed_at),
        "concern",
        concern.id,
        str(concern.status != "dismissed").lower(),
    ]
    return row + [";".join(concern.matched or []), intent.message] if include_text else row


def _rows(include_text):
    alerts = paging.oldest_first_in_batches(
        select(CrisisAlert).where(CrisisAlert.resolved_at.is_not(None)), CrisisAlert.id
    )
    yield from (_row(alert, include_text) for alert in alerts)
    concerns = paging.oldest_first_in_batches(
        select(CrisisConcern).where(CrisisConcern.status != CONCERN_OPEN), CrisisConcern.id
    )
    yield from (_concern_row(concern, include_text) for concern in concerns)
    yield from (_missed_row(report, include_text) for report in missed.reports())


def export_csv(admin, include_text=False):
    """Resolved alerts, reviewed concerns, then reported misses, oldest first, as CSV lines to
    stream; with the message text only when asked (audited at once, before the first line)."""
    if include_text:
        activity.audit("crisis_feedback", 0, "exported_with_text", admin, new={"include_text": True})
        commit()
    header = COLUMNS + (["matched", "message"] if include_text else [])
    return csv_safe.lines(header, _rows(include_text))


def _missed_row(report, include_text):
    """A reported miss, in the alerts' columns: no alert, the report's own category and time."""
    intent = report.intent
    row = [
        "",
        report.student_id,
        intent.intent,
        intent.confidence,
        "missed_report",
        report.category,
        "",
        "missed",
        "false",
        iso(report.created_at),
        "",
        "",
        "missed_report",
        "",
        "true",
    ]
    return row + ["", intent.message] if include_text else row
