"""The platform's errors: plain exceptions the rules raise, with no idea of HTTP.

`app/api/errors.py` maps each class to a status and the one JSON envelope; the socket
handlers and the CLI render the same envelope from the same function.
"""


class DomainError(Exception):
    """An expected, user-facing failure: a snake_case code, a message a person can act on,
    and details (for Invalid: field -> messages)."""

    code = "error"
    message = "Request failed."

    def __init__(self, code=None, message=None, details=None):
        self.code = code or type(self).code
        self.message = message or type(self).message
        self.details = details or {}
        super().__init__(self.message)


class Invalid(DomainError):
    """Well-formed but breaks a rule; `details` maps each field to its messages."""

    code = "validation_error"
    message = "Some fields are invalid."


class Unauthorized(DomainError):
    """The caller could not be identified (bad credentials, unknown key or token)."""

    code = "unauthorized"
    message = "Authentication is required."


class Forbidden(DomainError):
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(DomainError):
    """Also what another user's object looks like: saying it exists would leak it."""

    code = "not_found"
    message = "Nothing was found here."


class Conflict(DomainError):
    code = "conflict"
    message = "This conflicts with the current state."


class TooMany(DomainError):
    """Over a limit (requests, connections); the caller may retry after `retry_after` seconds."""

    code = "rate_limited"
    message = "Too many requests; wait and try again."

    def __init__(self, code=None, message=None, details=None, retry_after=1):
        super().__init__(code, message, details)
        self.retry_after = max(int(retry_after), 1)


class Unavailable(DomainError):
    """A dependency we need right now (Redis for a live stream, the database) is down or
    busy; the caller may retry after `retry_after` seconds."""

    code = "unavailable"
    message = "This is unavailable right now; try again shortly."

    def __init__(self, code=None, message=None, details=None, retry_after=5):
        super().__init__(code, message, details)
        self.retry_after = max(int(retry_after), 1)
