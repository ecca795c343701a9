"""Exports from the overview: the CSV at once (a download), the PDF queued: the page shows
"preparing" until the export_ready notification (or a resync) says where the file is."""

from flask import Response, g, render_template, request, stream_with_context

from app.services.performance import exports
from app.web.educator import blp
from app.web.session import require_role


def _scope():
    return (request.values.get("scope") or "overview").strip()[:40]


@blp.get("/export.csv")
@require_role("educator")
def export_csv():
    """The figures as CSV (?scope=overview|section:<id>|student:<id>), as the API's export."""
    scope = _scope()
    exports.parse_scope(g.person, scope)  # checked before the stream starts: a 404/422 page, not a broken file
    name = scope.replace(":", "-")
    return Response(
        stream_with_context(exports.csv_lines(g.person, scope)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="performance-{name}.csv"'},
    )


@blp.post("/exports")
@require_role("educator")
def export_pdf():
    """Queue a PDF of ?scope= and answer the export's status fragment ("preparing" or the link)."""
    export = exports.request_pdf(g.person, _scope())
    return render_template("web/educator/_export.html", export=exports.get(g.person, export.id))


@blp.get("/exports/<int:export_id>/_status")
@require_role("educator")
def export_status(export_id):
    """One export's status fragment (the page refreshes it on reconnect, in case it missed the event)."""
    return render_template("web/educator/_export.html", export=exports.get(g.person, export_id))
