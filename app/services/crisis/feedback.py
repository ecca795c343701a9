"""What the chatbot team retrains on: every resolved alert with its label, reasons and outcome,
then every message reported as a missed crisis (source `missed_report`, outcome `missed`,
categories the one the reporter chose, created_at the report's time).

The student's words leave Pulse only when an admin asks for them explicitly
(`include_text`), and that request is written to the audit log first.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import CrisisAlert, iso
from app.services.activity import feed as activity
from app.services.crisis import missed
from app.services.shared import csv_safe
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
]


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
    ]
    # What the check matched is the student's own words too: only with the text.
    return row + [";".join(alert.matched or []), intent.message] if include_text else row


def export_csv(admin, include_text=False):
    """Resolved alerts, oldest first, as CSV; with the message text only when asked (audited)."""
    if include_text:
        activity.audit("crisis_feedback", 0, "exported_with_text", admin, new={"include_text": True})
        commit()
    alerts = db.session.scalars(
        select(CrisisAlert)
        .where(CrisisAlert.resolved_at.is_not(None))
        .order_by(CrisisAlert.id)
        .execution_options(yield_per=500)
    )
    header = COLUMNS + (["matched", "message"] if include_text else [])
    rows = [_row(alert, include_text) for alert in alerts] + [_missed_row(r, include_text) for r in missed.reports()]
    return csv_safe.write_rows(header, rows)


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
    ]
    return row + ["", intent.message] if include_text else row
