"""Reading an upload's rows from the request: a JSON list, or CSV for grades."""

from flask import request

from app.services.performance import rows
from app.services.shared.errors import Invalid


def accepts_csv(view):
    """Let a view take a text/csv body (every other non-JSON body is refused with 415)."""
    view.accepts_csv = True
    return view


def upload_rows(columns, key, allow_csv=False):
    """Numbered rows from a JSON list (or {key: [...]}) or, where allowed, a CSV body."""
    if allow_csv and request.mimetype == "text/csv":
        return rows.parse_csv(request.get_data(as_text=True), columns)
    body = request.get_json()  # a malformed body answers 400 invalid_json
    if isinstance(body, dict) and list(body) == [key]:
        body = body[key]
    if not isinstance(body, list):
        raise Invalid(details={"_schema": [f"Send a JSON list of rows ({', '.join(columns)})."]})
    return rows.numbered(body)
