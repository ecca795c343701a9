"""HTTP hardening every response shares: real client addresses behind the platform's
router, HTTPS redirects, security headers (errors and event streams included) and a cap
on how deeply a JSON body may nest."""

import json

from flask import current_app, redirect, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

# Swagger UI runs from our own static files with no inline script (see
# templates/swagger_ui.html); its styles and the images it inlines need the two allowances.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# The platform's router checks these over plain HTTP; they are never redirected.
PROBE_PATHS = ("/healthz", "/readyz")


def install(app):
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops > 0:
        # Only the last `hops` entries of X-Forwarded-* come from proxies we trust; with 0
        # a client's own X-Forwarded-For is never read.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    if app.config["FORCE_HTTPS"]:
        app.before_request(redirect_to_https)
    app.before_request(limit_json_depth)
    app.after_request(security_headers)


def redirect_to_https():
    if request.is_secure or request.path in PROBE_PATHS:
        return None
    # 308 keeps the method and body of a POST.
    return redirect(request.url.replace("http://", "https://", 1), code=308)


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    max_age = current_app.config["HSTS_MAX_AGE"]
    if max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


def json_depth(value, limit):
    """The nesting depth of a parsed body, stopping past depth `limit` (iterative)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def limit_json_depth():
    """400 for a JSON body nested deeper than MAX_JSON_DEPTH (no schema needs more, and the
    parsers and serializers behind them recurse); 400 for a query string with a NUL. Text
    in bodies that no column can store is cleaned by the arguments parser (api/ids.py)."""
    if any("\x00" in value for value in request.args.values()):
        raise _bad("unstorable_text", "The query string contains a NUL character.")
    if not request.is_json or not request.content_length:
        return
    limit = current_app.config["MAX_JSON_DEPTH"]
    try:
        data = json.loads(request.get_data(cache=True))
    except RecursionError:
        raise _too_deep(limit) from None
    except ValueError:
        return  # not JSON at all: the body parser answers that
    if json_depth(data, limit) > limit:
        raise _too_deep(limit)


def _too_deep(limit):
    return _bad("json_too_deep", f"The JSON body nests deeper than {limit} levels.")


def _bad(code, message):
    error = BadRequest()
    error.data = {"code": code, "message": message}
    return error
