"""A truthful OpenAPI spec, for every blueprint without per-route edits: the real error
envelope for each status an operation can return, security schemes per operation, and
Swagger UI served from the installed swagger-ui-bundle package (no CDN)."""

import os

import swagger_ui_bundle
from flask import Blueprint, send_from_directory

from app.api.ids import DatabaseIntConverter, converter_schema
from app.schemas.errors import ErrorSchema

BEARER = {"bearerAuth": []}
CHATBOT_KEY = {"chatbotKey": []}
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "chatbotKey": {"type": "apiKey", "in": "header", "name": "X-Chatbot-Key"},
}
# Public operations say so with @blp.doc(security=[]); everything else needs a token.
PUBLIC = []

RATE_LIMIT_HEADERS = {
    "Retry-After": {"description": "Seconds until a request may succeed", "schema": {"type": "integer"}},
    "X-RateLimit-Limit": {"description": "Requests allowed in the window", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When the window resets (epoch seconds)", "schema": {"type": "integer"}},
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")


def configure(api):
    """Before api.init_app: the envelope replaces flask-smorest's default error schema."""
    api.ERROR_SCHEMA = ErrorSchema


def register_spec_parts(api):
    """After api.init_app, before the blueprints: schemes, the error schema, the id converter."""
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    if "Error" not in api.spec.components.schemas:
        api.spec.components.schema("Error", schema=ErrorSchema)
    api.register_converter(DatabaseIntConverter, converter_schema)


def _error(description, headers=None):
    response = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
    if headers:
        response["headers"] = headers
    return response


def _statuses(operation, path):
    """The statuses an operation can answer with besides its own, and why."""
    statuses = {
        429: ("Too many requests (see Retry-After)", RATE_LIMIT_HEADERS),
        500: ("Unexpected server error", None),
    }
    params = operation.get("parameters", [])
    if "{" in path:
        statuses[404] = ("Not found, or not visible to the caller", None)
    if operation.get("requestBody"):
        statuses[400] = ("The body is not valid JSON, or nests too deeply", None)
        statuses[413] = ("The body is too large", None)
        statuses[415] = ("The body is not application/json", None)
        statuses[422] = ("Some fields are invalid", None)
    if any(p.get("in") == "query" for p in params if isinstance(p, dict)):
        statuses[422] = ("Some parameters are invalid", None)
    if operation.get("security") != PUBLIC:
        statuses[401] = ("Missing, invalid, expired or revoked credentials", None)
        statuses[403] = ("The caller's role may not do this", None)
    return statuses


def complete(api):
    """Finish every operation registered so far (idempotent)."""
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete") or not isinstance(operation, dict):
                continue
            operation.setdefault("security", [BEARER])
            responses = operation.setdefault("responses", {})
            for status, (description, headers) in _statuses(operation, path).items():
                responses.setdefault(str(status), _error(description, headers))
            # Any other error status is still the envelope.
            responses.setdefault("default", _error("Any other error"))


swagger_assets = Blueprint("swagger_assets", __name__)


@swagger_assets.get("/swagger-ui/<path:filename>")
def swagger_asset(filename):
    """Swagger UI's files from the swagger-ui-bundle package, and our start-up script."""
    if filename == "pulse-swagger-init.js":
        return send_from_directory(STATIC_DIR, filename, max_age=300)
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=3600)
