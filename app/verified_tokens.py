"""Access tokens verified once per process, not on every use.

A request decodes its token twice (the rate limiter's key, then flask-jwt-extended), each
time parsing it three times, and a dashboard sends the same token for many requests:
verifying it was a third of an authenticated request's cost. The signature check of a
given token string under a given key always gives the same answer, so the verified claims
are kept (LRU, bounded) per token and key, and the time claims (exp, nbf) are checked
again on every use. Revocation and the user's state are still checked per request
(flask-jwt-extended's blocklist and user loaders run after the decode).
"""

import functools
import time

from flask import current_app, g, has_request_context
from flask_jwt_extended import JWTManager, view_decorators
from flask_jwt_extended.config import config
from flask_jwt_extended.utils import get_unverified_jwt_headers

_DECODED = "pulse_decoded_token"
MAX_TOKENS = 20_000  # a token's claims are ~300 bytes: a few MB at most


class CachingJWTManager(JWTManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verified = functools.lru_cache(maxsize=MAX_TOKENS)(self._verify)

    def _verify(self, encoded_token, _key_fingerprint):
        # Raises for a bad or expired token: lru_cache keeps only the successes.
        return super()._decode_jwt_from_config(encoded_token)

    def _decode_jwt_from_config(self, encoded_token, csrf_value=None, allow_expired=False):
        if csrf_value is not None or allow_expired:  # cookie tokens and refresh-after-expiry: the full path
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        # A request decodes its token twice (the rate limit's caller, then the view's check):
        # the second time the claims of the first serve, with no key fingerprint to build.
        seen = g.get(_DECODED) if has_request_context() else None
        if seen is not None and seen[0] == encoded_token:
            claims = seen[1]
        else:
            claims = self._verified(encoded_token, _fingerprint(current_app.config))
            if has_request_context():
                setattr(g, _DECODED, (encoded_token, claims))
        now, leeway = time.time(), config.leeway
        if claims.get("exp", now) < now - leeway or claims.get("nbf", now) > now + leeway:
            # Expired since it was cached: the full path raises the error its loader expects.
            return super()._decode_jwt_from_config(encoded_token)
        return dict(claims)


def _fingerprint(settings):
    """Every setting a verification depends on (more is harmless: it only keys the cache).
    Read straight from the config: flask-jwt-extended's properties for the same settings
    cost ~10 µs per request, against ~1 µs here."""
    return (
        settings["JWT_SECRET_KEY"],
        settings.get("SECRET_KEY"),
        settings["JWT_PUBLIC_KEY"],
        settings["JWT_ALGORITHM"],
        repr(settings["JWT_DECODE_ALGORITHMS"]),
        repr(settings["JWT_DECODE_AUDIENCE"]),
        settings["JWT_DECODE_ISSUER"],
        settings["JWT_IDENTITY_CLAIM"],
    )


@functools.lru_cache(maxsize=MAX_TOKENS)
def _header(encoded_token):
    return get_unverified_jwt_headers(encoded_token)


def _unverified_header(encoded_token):
    # A copy: the cached dict is never handed out to be changed.
    return dict(_header(encoded_token))


# After verifying a token, flask-jwt-extended's decorators parse its header once more,
# unverified (PyJWT checks each of its ~350 characters: ~20 µs per request). The header of
# a given token string never changes, so it is kept like the claims. Its module looks the
# function up by this name at each call.
view_decorators.get_unverified_jwt_headers = _unverified_header
