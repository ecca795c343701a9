"""The deployment namespace: every Redis name Pulse uses starts with it (see docs/namespaces.md).

Redis pub/sub channels are shared by every database number of a server, and two
deployments on one database number share every key, queue and lock. So each deployment
has a namespace, and `namespaced("student:dashboard:12")` is the one way to build a Redis
name: `<namespace>:student:dashboard:12`. By default the namespace is derived from the
database's identity (host, port and name; never the credentials), so two deployments with
different databases never share one, and every process of one deployment (web, worker,
cron) agrees on it without being told. PULSE_NAMESPACE sets it explicitly.
"""

import hashlib
import re
from urllib.parse import urlsplit

from flask import current_app

# Letters, digits, `_` and `-` only: the namespace goes into keys, RQ queue names and RQ
# job ids (which allow nothing else).
VALID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}

# The field every published Socket.IO packet carries (`namespace` is Socket.IO's own).
PACKET_FIELD = "pulse_namespace"


def database_identity(url):
    """What names a database, without credentials or options: `host:port/name`."""
    parts = urlsplit(url)
    family = parts.scheme.split("+", 1)[0].lower()  # the driver does not name the database
    family = "postgresql" if family == "postgres" else family
    if family == "sqlite":
        return "sqlite:" + url.split(":", 1)[1].lstrip("/")
    host = (parts.hostname or "localhost").lower()
    port = parts.port or DEFAULT_PORTS.get(family, 0)
    return f"{family}://{host}:{port}/{parts.path.lstrip('/')}"


def derive(database_url):
    """`pulse-` and 10 hex digits of the database identity's SHA-256."""
    return "pulse-" + hashlib.sha256(database_identity(database_url).encode()).hexdigest()[:10]


def resolve(config):
    """(namespace, where it came from) for a config mapping; raises on an unusable setting."""
    explicit = config.get("PULSE_NAMESPACE")
    if explicit:
        if not VALID.fullmatch(explicit):
            raise RuntimeError(f"PULSE_NAMESPACE {explicit!r}: use 1-64 letters, digits, '_' or '-'")
        return explicit, "PULSE_NAMESPACE"
    return derive(config["SQLALCHEMY_DATABASE_URI"]), "derived from the database"


def current():
    return current_app.config["PULSE_NAMESPACE"]


def namespaced(name, namespace=None):
    """The Redis name `name` of this deployment: `<namespace>:<name>`. Use it for every key,
    channel, queue and lock (cache keys come from app/services/shared/cache.py, which uses it)."""
    return f"{namespace or current()}:{name}"


def is_ours(packet, namespace):
    """Whether a published packet (a dict) is stamped with `namespace`."""
    return isinstance(packet, dict) and packet.get(PACKET_FIELD) == namespace
