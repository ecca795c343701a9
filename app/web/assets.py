"""Static files: the vendored ones carry their version in the name and our own get ?v=<hash>
(static_url), so both are cached for a year and a repeat page load transfers nothing."""

import functools
import hashlib
import os

from flask import current_app, request, url_for

YEAR = 365 * 24 * 3600


@functools.cache
def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def static_url(filename):
    """The URL of app/static/<filename>: vendored names as they are, ours with ?v=<hash>."""
    if filename.startswith("vendor/"):
        return url_for("static", filename=filename)
    path = os.path.join(current_app.static_folder, filename)
    return url_for("static", filename=filename, v=_digest(path))


def long_cache(response):
    """after_request: versioned static files are immutable."""
    if request.endpoint == "static" and response.status_code in (200, 304):
        if (request.view_args or {}).get("filename", "").startswith("vendor/") or request.args.get("v"):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def install(app):
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(long_cache)
