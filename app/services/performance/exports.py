"""Exports: CSV streamed at once; PDF rendered by a job, stored in the database, and announced
with an `export_ready` notification whose link is signed and expires (EXPORT_LINK_TTL).

A PDF lives as long as its link: EXPORT_LINK_TTL after it was rendered, the link dies and
the periodic `prune_exports` job deletes the file. An identical request (same person, same
scope, nothing changed in its sections since) gets the stored file again while at least
half its life remains, instead of a new render."""

import hashlib
import json
import time
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import PerformanceExport, Role, SectionEnrolment, User, iso, utcnow
from app.services.notifications import inbox as notifications
from app.services.notifications import types as notification_types
from app.services.performance import access, pdf, reports, rules, store, students
from app.services.performance import figures as fig
from app.services.shared import csv_safe
from app.services.shared.errors import Forbidden, Invalid, NotFound, Unauthorized
from app.services.shared.pruning import delete_in_batches
from app.services.shared.queues import enqueue
from app.services.shared.transaction import after_commit, commit

STUDENT_HEADER = ["student_id", "name", "average", "band", "attendance_percentage", "trend", "graded_exams", "at_risk"]
EXAM_HEADER = ["exam_id", "section", "subject", "exam", "date", "total_marks", "score", "percentage"]


def parse_scope(user, scope):
    """("overview", None) | ("section", id) | ("student", id), checked against what `user` may see."""
    kind, _, raw = scope.partition(":")
    if kind == "overview" and not raw:
        return kind, None
    if kind in ("section", "student") and raw.isdigit() and len(raw) < 10:
        ident = int(raw)
        (access.visible_section if kind == "section" else access.visible_student)(user, ident)
        return kind, ident
    raise Invalid(details={"scope": ["One of overview, section:<id>, student:<id>."]})


def table(user, kind, ident, now):
    """(title, header, rows) for a scope."""
    if kind == "student":
        detail = reports.student(user, ident, now)
        rows = [
            [e[k] for k in ("exam_id", "section", "subject", "name", "date", "total_marks", "score", "percentage")]
            for e in detail["exams"]
        ]
        return f"Performance of {detail['student']['name']}", EXAM_HEADER, rows
    ids = [ident] if kind == "section" else access.section_ids_for(user)
    cached, _ = store.section_figures(ids, now, details=True)
    merged = fig.merge_students(cached.values())
    rows = [
        [
            r["student_id"],
            r["name"],
            r["average"],
            r["band"],
            r["attendance_percentage"],
            r["trend"],
            r["graded_exams"],
            " ".join(r["at_risk_reasons"]),
        ]
        for r in students.student_rows({"students": merged})
    ]
    title = cached[ident]["section"]["name"] if kind == "section" else "Performance overview"
    return title, STUDENT_HEADER, rows


def csv_lines(user, scope, now=None):
    """The CSV as an iterator of lines (figures read up front, lines produced as they stream)."""
    kind, ident = parse_scope(user, scope)
    _, header, rows = table(user, kind, ident, now or utcnow())

    return csv_safe.lines(header, rows)


def _ttl():
    return timedelta(seconds=current_app.config["EXPORT_LINK_TTL"])


def fingerprint(user, kind, ident):
    """A hash of what the export would show: the scope and the data version of each section it
    reads (any write, a rename included, bumps one; see store.mark_dirty)."""
    if kind == "student":
        section_ids = sorted(
            db.session.scalars(select(SectionEnrolment.section_id).where(SectionEnrolment.student_id == ident))
        )
    else:
        section_ids = [ident] if kind == "section" else access.section_ids_for(user)
    versions = store.data_versions(section_ids)
    state = {"scope": f"{kind}:{ident}", "sections": [[sid, versions.get(sid)] for sid in section_ids]}
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def _reusable(user, scope, print_, now):
    """The caller's newest identical export that is still worth handing out: ready with at least
    half its link's life left, or still being rendered (not stuck)."""
    ttl = _ttl()
    return db.session.scalar(
        select(PerformanceExport)
        .where(
            PerformanceExport.requested_by == user.id,
            PerformanceExport.scope == scope,
            PerformanceExport.format == "pdf",
            PerformanceExport.fingerprint == print_,
            or_(
                and_(PerformanceExport.status == "ready", PerformanceExport.completed_at > now - ttl / 2),
                and_(PerformanceExport.status == "pending", PerformanceExport.created_at > now - ttl),
            ),
        )
        .order_by(PerformanceExport.id.desc())
        .limit(1)
    )


def request_pdf(user, scope, now=None):
    """Queue a PDF export; the requester is notified (export_ready) when it is stored. An
    identical request answers with the stored (or still rendering) export instead."""
    now = now or utcnow()
    kind, ident = parse_scope(user, scope)
    print_ = fingerprint(user, kind, ident)
    export = _reusable(user, scope, print_, now)
    if export is not None:
        if export.status == "ready":  # the client waits for export_ready: say it again
            _notify_ready(db.session.get(User, user.id), export, now)
            commit()
        return export
    export = PerformanceExport(requested_by=user.id, scope=scope, format="pdf", status="pending", fingerprint=print_)
    db.session.add(export)
    db.session.flush()
    export_id = export.id
    after_commit(lambda: enqueue("app.jobs.performance.render_export", export_id))
    commit()
    return export


def prune(now=None):
    """Delete the exports whose link has died (EXPORT_LINK_TTL after rendering), and those that
    never finished within that time, in batches. Returns how many."""
    cutoff = (now or utcnow()) - _ttl()
    return delete_in_batches(
        PerformanceExport,
        or_(
            PerformanceExport.completed_at < cutoff,
            and_(PerformanceExport.completed_at.is_(None), PerformanceExport.created_at < cutoff),
        ),
    )


def _pdf_bytes(user, export, now):
    kind, ident = parse_scope(user, export.scope)
    title, header, rows = table(user, kind, ident, now)
    if kind == "student":
        detail = reports.student(user, ident, now)
        distribution = rules.distribution(e["percentage"] for e in detail["exams"])
        weeks = [
            {"week_start": e["date"], "average": e["percentage"], "attendance_percentage": None}
            for e in detail["exams"]
            if e["percentage"] is not None
        ]
        headline = [
            ("Average", detail["average"]),
            ("Band", detail["band"]),
            ("Trend", detail["trend"]),
            ("Attendance %", detail["attendance"]["percentage"]),
            ("At risk", ", ".join(detail["at_risk_reasons"]) or "no"),
        ]
    else:
        figures = (
            reports.section(user, ident, now=now)["section"] if kind == "section" else reports.overview(user, now=now)
        )
        distribution = figures["grade_distribution"]
        weeks = reports.trends(user, ident, 8, now)["weeks"]
        headline = [
            ("Students", figures.get("students", figures.get("total_students"))),
            ("Average", figures.get("average", figures.get("overall_average"))),
            ("Pass rate %", figures["pass_rate"]),
            ("Attendance %", figures["attendance_percentage"]),
            ("At risk", figures["at_risk_count"]),
        ]
    return pdf.render(title, headline, distribution, weeks, header, rows)


def render(export_id, now=None):
    """Render and store the PDF, then notify its requester. Safe to run twice."""
    now = now or utcnow()
    export = db.session.get(PerformanceExport, export_id)
    if export is None or export.status == "ready":
        return {"export_id": export_id, "status": export and export.status}
    user = db.session.get(User, export.requested_by)
    try:
        export.content = _pdf_bytes(user, export, now)
    except Exception as exc:
        db.session.rollback()
        export = db.session.get(PerformanceExport, export_id)
        export.status, export.error = "failed", str(exc)[:500]
        commit()
        raise
    export.status, export.completed_at = "ready", now
    _notify_ready(user, export, now)
    commit()
    return {"export_id": export_id, "status": "ready", "bytes": len(export.content)}


def _notify_ready(user, export, now):
    url, expires = download_url(export, now)
    notifications.notify(
        user,
        notification_types.EXPORT_READY,
        "Your performance export is ready",
        f"The PDF for {export.scope} is ready to download until {iso(expires)}.",
        {"export_id": export.id, "scope": export.scope, "download_url": url, "expires_at": iso(expires)},
    )


def _signer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="performance-export")


def download_url(export, now=None):
    """A link that works without a login until it expires: (url, expires_at). Every link to one
    export dies at the same time, EXPORT_LINK_TTL after it was rendered, when the file is pruned."""
    rendered = export.completed_at or now or utcnow()
    expires = int(rendered.timestamp()) + current_app.config["EXPORT_LINK_TTL"]
    token = _signer().dumps({"export_id": export.id, "exp": expires})
    return f"/api/v1/performance/exports/{export.id}/download?token={token}", type(rendered).fromtimestamp(
        expires, rendered.tzinfo
    )


def get(user, export_id):
    """The export with its status and, once ready, a download link (valid until the file is pruned)."""
    export = db.session.get(PerformanceExport, export_id)
    if export is None or (export.requested_by != user.id and user.role != Role.ADMIN):
        raise NotFound("export_not_found", f"No export with id {export_id} among yours.")
    export.download_url = download_url(export)[0] if export.status == "ready" else None
    return export


def download(export_id, token, now=None):
    """The stored PDF for a valid, unexpired link (the token is the credential: none is 401)."""
    if not token:
        raise Unauthorized("link_missing", "Open the download link from the export_ready notification.")
    try:
        claims = _signer().loads(token or "")
    except BadSignature:
        raise Forbidden("link_invalid", "This download link is not valid.") from None
    if claims.get("export_id") != export_id:
        raise Forbidden("link_invalid", "This download link is not valid.")
    if claims.get("exp", 0) < (now.timestamp() if now else time.time()):
        raise Forbidden("link_expired", "This download link has expired; ask for the export's status for a new one.")
    export = db.session.get(PerformanceExport, export_id)
    if export is None or export.status != "ready":
        raise NotFound("export_not_found", f"No export with id {export_id} is ready.")
    return export
