"""Performance figures: overview, sections, subjects, a student, trends, exports; and the student's own."""

from flask import Response, stream_with_context

from app.api.auth_helpers import current_principal, role_required
from app.api.docs import ERROR_REF
from app.api.educator import blp
from app.schemas.performance import (
    DownloadQuerySchema,
    ExportEnvelope,
    ExportQuerySchema,
    FigureListSchema,
    OverviewSchema,
    PerformersQuerySchema,
    SectionFiguresSchema,
    SortQuerySchema,
    StudentFiguresSchema,
    TrendsQuerySchema,
    TrendsSchema,
)
from app.services.performance import exports, reports

EDUCATOR = ("educator", "admin")


@blp.get("/performance/overview")
@role_required(*EDUCATOR)
@blp.arguments(PerformersQuerySchema, location="query")
@blp.response(200, OverviewSchema)
def overview(query):
    """Your students' figures over all your sections (cached; ?n= top/low performers, default 5)."""
    return reports.overview(current_principal(), **query)


@blp.get("/performance/sections")
@role_required(*EDUCATOR)
@blp.arguments(SortQuerySchema, location="query")
@blp.response(200, FigureListSchema)
def section_figures(query):
    """Figures per section; ?sort=average|-average|pass_rate|..., ?term= filters."""
    return reports.sections(current_principal(), **query)


@blp.get("/performance/sections/<int:section_id>")
@role_required(*EDUCATOR)
@blp.arguments(PerformersQuerySchema, location="query")
@blp.response(200, SectionFiguresSchema)
def one_section_figures(query, section_id):
    """One section's figures, its students, top and low performers."""
    return reports.section(current_principal(), section_id, **query)


@blp.get("/performance/subjects")
@role_required(*EDUCATOR)
@blp.arguments(SortQuerySchema, location="query")
@blp.response(200, FigureListSchema)
def subject_figures(query):
    """Figures per subject over your sections; ?sort= orders them."""
    query.pop("term", None)
    return reports.subjects(current_principal(), **query)


@blp.get("/performance/students/<int:student_id>")
@role_required(*EDUCATOR)
@blp.response(200, StudentFiguresSchema)
def student_figures(student_id):
    """A student of your sections: per-subject scores, every exam, attendance history, trend, at-risk reasons."""
    return reports.student(current_principal(), student_id)


@blp.get("/performance/trends")
@role_required(*EDUCATOR)
@blp.arguments(TrendsQuerySchema, location="query")
@blp.response(200, TrendsSchema)
def trends(query):
    """Weekly averages and attendance for charts; ?section_id=, ?weeks= (default 8)."""
    return reports.trends(current_principal(), **query)


@blp.get("/performance/export")
@role_required(*EDUCATOR)
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(202, ExportEnvelope)
@blp.doc(responses={200: {"description": "CSV, streamed", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def export(query):
    """?format=csv streams at once; ?format=pdf answers 202 and sends export_ready when stored."""
    if query["format"] == "csv":
        lines = exports.csv_lines(current_principal(), query["scope"])
        name = query["scope"].replace(":", "-")
        return Response(
            stream_with_context(lines),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="performance-{name}.csv"'},
        )
    return {"export": exports.request_pdf(current_principal(), query["scope"])}


@blp.get("/performance/exports/<int:export_id>")
@role_required(*EDUCATOR)
@blp.response(200, ExportEnvelope)
def export_status(export_id):
    """An export's status and, once ready, a fresh expiring download link."""
    return {"export": exports.get(current_principal(), export_id)}


@blp.get("/performance/exports/<int:export_id>/download")
@blp.arguments(DownloadQuerySchema, location="query")
@blp.doc(
    # No login: the signed, expiring link is the key.
    security=[],
    responses={
        200: {
            "description": "The PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        # Public, yet the link itself can be missing (401), or invalid or expired (403).
        401: {"description": "No token in the link", "content": {"application/json": {"schema": ERROR_REF}}},
        403: {"description": "The link is invalid or expired", "content": {"application/json": {"schema": ERROR_REF}}},
    },
)
def export_download(query, export_id):
    """The PDF, for a signed link that has not expired (no login: the link is the key)."""
    found = exports.download(export_id, query.get("token"))
    return Response(
        found.content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="performance-{found.id}.pdf"'},
    )


@blp.get("/student/performance")
@role_required("student")
@blp.response(200, StudentFiguresSchema)
def own_performance():
    """Your own grades, averages per subject, attendance and trend over your sections."""
    return reports.own(current_principal())
