"""Liveness and readiness probes for the platform's router and operators."""

from flask import Blueprint
from sqlalchemy import text

from app.api.errors import error_response
from app.extensions import db
from app.services.shared import cache

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """The process is up (touches nothing else)."""
    return {"status": "ok"}


@blp.get("/readyz")
def readyz():
    """The database and Redis answer."""
    checks = {"database": _database_ok(), "redis": cache.available()}
    if all(checks.values()):
        return {"status": "ok", "checks": checks}
    return error_response(503, "not_ready", "A dependency is not answering.", checks)


def _database_ok():
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False
