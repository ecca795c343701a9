"""CORS for the REST API: the same CORS_ORIGINS allow-list Socket.IO uses.

Unset (the default) nothing is added and browsers keep the same-origin rule. With origins
named, a page served from one of them (e.g. the seeds' React dev server) may call /api/v1:
its preflights are answered, and it may read the headers a client needs: Retry-After and
the X-RateLimit-* ones on a 429, X-Request-ID to quote in a bug report. Tokens travel in
the Authorization header, never in cookies, so credentials are not allowed.
"""

from flask_cors import CORS

from app.api.request_log import REQUEST_ID_HEADER

EXPOSED = ["Retry-After", REQUEST_ID_HEADER, "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "Last-Event-ID",
    REQUEST_ID_HEADER,
    "X-Chatbot-Key",
]
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight's answer


def install(app):
    """Answer preflights and add the CORS headers on /api/ for CORS_ORIGINS, if any."""
    origins = app.config.get("CORS_ORIGINS") or []
    if not origins:
        return
    CORS(
        app,
        resources={r"/api/*": {"origins": list(origins)}},
        expose_headers=EXPOSED,
        allow_headers=ALLOWED_HEADERS,
        supports_credentials=False,
        max_age=PREFLIGHT_MAX_AGE,
        vary_header=True,
    )
