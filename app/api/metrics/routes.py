"""Prometheus metrics for operators (outside /api/v1, like the health probes)."""

import hmac

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from app.api.errors import error_response
from app.services.shared import metrics, ops_metrics  # noqa: F401 - ops_metrics registers its collector

blp = Blueprint("metrics", __name__)


@blp.get("/metrics")
def prometheus_metrics():
    """Queues, jobs, HTTP and Socket.IO figures, crisis delivery, dashboard cache and staleness (Prometheus)."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return error_response(401, "token_invalid", "Send Authorization: Bearer <METRICS_TOKEN>.")
    elif not current_app.config.get("METRICS_OPEN_WITHOUT_TOKEN"):
        return error_response(403, "metrics_disabled", "Set METRICS_TOKEN to enable /metrics in production.")
    # content_type, not mimetype: CONTENT_TYPE_LATEST has its charset already, and mimetype=
    # would append a second one.
    return Response(metrics.render(), content_type=CONTENT_TYPE_LATEST)
