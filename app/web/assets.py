"""Static files: the vendored ones carry their version in the name and our own get ?v=<hash>
(static_url), so both are cached for a year and a repeat page load transfers nothing.
Scripts and stylesheets go out gzipped to a browser that accepts it: the web process is
what answers them (no proxy in front compresses on Heroku), and the first load of a page
is then ~90 KB of scripts and styles instead of ~420 KB."""

import functools
import gzip
import hashlib
import os

from flask import current_app, request, url_for
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml")
GZIP_MIN_SIZE = 1024  # smaller bodies gain less than the header costs


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


@functools.lru_cache(maxsize=128)
def _gzipped(path, mtime_ns, size):
    """The file's gzip (level 6), once per version of the file (its mtime and size key it)."""
    with open(path, "rb") as f:
        return gzip.compress(f.read(), 6, mtime=0)


def gzip_static(response):
    """after_request: a static script, stylesheet or SVG in gzip when the browser takes it.
    The ETag turns weak (same content, another encoding), so a revalidation still gets 304."""
    if request.endpoint != "static" or response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if response.status_code != 200 or "Content-Encoding" in response.headers:
        return response
    if not request.accept_encodings["gzip"] or request.method not in ("GET", "HEAD"):
        return response
    path = safe_join(current_app.static_folder, (request.view_args or {}).get("filename", ""))
    if path is None or not os.path.isfile(path):
        return response
    info = os.stat(path)
    if info.st_size < GZIP_MIN_SIZE:
        return response
    body = _gzipped(path, info.st_mtime_ns, info.st_size)
    if hasattr(response.response, "close"):
        response.response.close()  # the file send_file opened
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, _ = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)
    return response


def install(app):
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(long_cache)
    app.after_request(gzip_static)
