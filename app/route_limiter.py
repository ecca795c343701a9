"""flask-limiter for the limits a route declares itself, and nothing per request otherwise.

The limits every request shares are counted by app/api/gate.py, in the Redis
round trip the token check makes. That leaves flask-limiter's before_request hook with
nothing to count on most routes, yet it still resolved, for every request, the limits that
might apply (exemptions, blueprint and default limits, meta limits): about 80 µs, more
than a Redis round trip. Whether a route has limits of its own is fixed once the app is
built, so it is worked out once per endpoint and the hook returns at once for the others.
A route's decorated limits are checked by its decorator, as before.
"""

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name


class RouteLimiter(Limiter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._route_has_limits = {}  # (endpoint, blueprint) -> bool

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if request.method == "OPTIONS":  # a CORS preflight runs no view: it spends no route's limit
            return None
        if in_middleware and request.endpoint is not None and not self._has_limits(request.endpoint, request.blueprint):
            return None
        return super()._check_request_limit(callable_name, in_middleware)

    def _has_limits(self, endpoint, blueprint):
        key = (endpoint, blueprint)
        if key not in self._route_has_limits:
            manager = self.limit_manager
            view = current_app.view_functions.get(endpoint)
            self._route_has_limits[key] = bool(
                (view is not None and manager.decorated_limits(get_qualified_name(view)))
                or manager.has_hints(endpoint)
                or (blueprint and manager.blueprint_limits(current_app, blueprint))
                or manager.application_limits
                or manager.default_limits
                or self._meta_limits
            )
        return self._route_has_limits[key]
