"""Per-student summaries over all their sections, and at-risk notices (once per reason per week).

A recompute of a section refreshes the summaries of its students. A student at risk in
that section (reasons computed on the section's own figures) is notified to the section's
educator and to the student's mentor, type `at_risk`, each reason at most once every
AT_RISK_NOTICE_DAYS days per recipient.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import PerformanceCache, Section, SectionEnrolment, StudentPerformanceSummary, User, iso
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.performance import figures as fig
from app.services.performance import rules, store
from app.services.shared import cache
from app.services.shared.transaction import after_commit, commit
from app.services.shared.upsert import insert_for

AT_RISK_NOTICE_DAYS = 7


def reason_text(reason, limit):
    """What a reason means, with the thresholds in force (settings)."""
    return {
        rules.LOW_ATTENDANCE: f"attendance below {limit.attendance:g}% over the last {limit.window_days} days",
        rules.BELOW_PASS_MARK: f"average below the pass mark ({limit.pass_mark:g}%)",
        rules.FALLING_TREND: f"a fall of {-limit.trend_drop:g} points or more in recent exams",
        rules.MISSING_GRADE: "a published exam with no grade",
    }[reason]


def student_figures(student_ids, now):
    """{student id: sums merged over their current sections} (from the cached section figures,
    each section read once however many of these students it holds)."""
    pairs = db.session.execute(
        select(SectionEnrolment.student_id, SectionEnrolment.section_id).where(
            SectionEnrolment.student_id.in_(student_ids), SectionEnrolment.left_at.is_(None)
        )
    ).all()
    sections, _ = store.section_figures(sorted({section_id for _, section_id in pairs}), now, details=True)
    wanted = {str(s) for s in student_ids}
    merged = fig.merge_students(
        [{"students": {k: v for k, v in f["students"].items() if k in wanted}} for f in sections.values()]
    )
    return {int(k): v for k, v in merged.items()}


def summary_values(sums, now):
    avg = fig.student_average(sums) if sums else None
    pcts = [p[2] for p in sorted(sums["pcts"])] if sums else []
    return {
        "average": avg,
        "subject_averages": {n: rules.average([t / c]) for n, (t, c) in sums["subjects"].items()} if sums else {},
        "attendance_percentage": rules.attendance_percentage(sums["attended"], sums["counted"]) if sums else None,
        "trend": rules.trend(pcts),
        "band": rules.band(avg),
        "at_risk_reasons": sums["at_risk"] if sums else [],
        "computed_at": now,
    }


def refresh(section_id, now):
    """Refresh the summaries of a section's students and send the at-risk notices due. Commits."""
    section = db.session.get(Section, section_id)
    row = db.session.query(PerformanceCache).filter_by(scope=store.section_scope(section_id)).one_or_none()
    if section is None or row is None or not row.figures:
        return 0
    students = row.figures["students"]
    educator = db.session.get(User, section.educator_id)
    sent = 0
    ids = sorted(int(sid) for sid in students)
    merged = student_figures(ids, now)
    rows = [{"student_id": sid, "notified": {}, **summary_values(merged.get(sid), now)} for sid in ids]
    if rows:
        stmt = insert_for(StudentPerformanceSummary).values(rows)
        update = {k: stmt.excluded[k] for k in rows[0] if k not in ("student_id", "notified")}
        db.session.execute(stmt.on_conflict_do_update(index_elements=["student_id"], set_=update))
    for sid in ids:
        sent += _notify_due(sid, students[str(sid)]["at_risk"], section, educator, now)
    after_commit(lambda: [cache.on_student_activity(s) for s in ids])  # the mentor's insights show it
    commit()
    return sent


def _notify_due(student_id, reasons, section, educator, now):
    if not reasons:
        return 0
    summary = db.session.scalar(
        select(StudentPerformanceSummary).where(StudentPerformanceSummary.student_id == student_id).with_for_update()
    )
    student = db.session.get(User, student_id)
    recipients = [u for u in (educator, student.mentor) if u is not None and u.is_active]
    notified, sent, limit = dict(summary.notified or {}), 0, fig.limits()
    for reason in reasons:
        for user in recipients:
            key = f"{reason}|{user.id}"
            last = notified.get(key)
            if last and now - datetime.fromisoformat(last.replace("Z", "+00:00")) < timedelta(days=AT_RISK_NOTICE_DAYS):
                continue
            notifications.notify(
                user,
                notification_types.AT_RISK,
                f"{student.name} is at risk: {reason_text(reason, limit)}",
                f"In {section.name}: {reason_text(reason, limit)}.",
                {"student_id": student_id, "student_name": student.name, "section_id": section.id, "reason": reason},
            )
            notified[key] = iso(now)
            sent += 1
    summary.notified = notified
    return sent


def summary_for(student_id):
    """The insights' `performance` section: the stored summary (None before the first grade or mark)."""
    summary = db.session.get(StudentPerformanceSummary, student_id)
    if summary is None:
        return None
    return {
        "average": summary.average,
        "band": summary.band,
        "subject_averages": summary.subject_averages,
        "attendance_percentage": summary.attendance_percentage,
        "trend": summary.trend,
        "at_risk_reasons": summary.at_risk_reasons,
        "computed_at": iso(summary.computed_at),
    }


def at_risk_for(student_ids):
    """{student id: [{"code", "text"}]} for the students with at-risk reasons in their stored
    summaries (the educator side's figures), in one query; students not at risk are left out."""
    if not student_ids:
        return {}
    limit = fig.limits()
    rows = db.session.execute(
        select(StudentPerformanceSummary.student_id, StudentPerformanceSummary.at_risk_reasons).where(
            StudentPerformanceSummary.student_id.in_(list(student_ids))
        )
    ).all()
    return {
        sid: [{"code": r, "text": reason_text(r, limit)} for r in reasons if r in rules.REASONS]
        for sid, reasons in rows
        if reasons
    }
