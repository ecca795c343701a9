"""Log lines: one JSON object per line in production (LOG_FORMAT=json), readable text in
development. Request and job lines carry their fields as `extra`, which both formats show."""

import json
import logging
import sys
from datetime import UTC, datetime

# The `extra` fields a line may carry, in the order the text format shows them.
FIELDS = (
    "request_id",
    "user_id",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "remote_addr",
    "job_id",
    "job",
    "queue",
    "outcome",
    "pid",
)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record):
        text = super().format(record)
        extra = [f"{name}={getattr(record, name)}" for name in FIELDS if getattr(record, name, None) is not None]
        return f"{text} [{' '.join(extra)}]" if extra else text


class _PulseHandler(logging.StreamHandler):
    """Marks the handler we installed, so a second app in one process replaces it."""


# Libraries that say too much at INFO: RQ three lines per job (an idle worker's periodic
# jobs made ~50 lines a minute), alembic one line per plugin in every process that loads it.
# They speak at WARNING unless LOG_LEVEL=DEBUG.
CHATTY = ("rq.worker", "rq.job", "rq.scheduler", "rq.queue", "alembic.runtime.plugins")


def quiet_chatty_libraries(level):
    """CHATTY at WARNING, or at `level` when that is DEBUG."""
    debug = str(level).upper() in ("DEBUG", "10")
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)


def configure(log_format="text", level="INFO"):
    quiet_chatty_libraries(level)
    root = logging.getLogger()
    if any(not isinstance(h, _PulseHandler) for h in root.handlers):
        return  # someone else set logging up (pytest's capture, a host server): leave it
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = _PulseHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def init_sentry(config, *, worker=False):
    """Errors (and, if sampled, traces) to Sentry when SENTRY_DSN is set."""
    dsn = config.get("SENTRY_DSN")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=config.get("ENV_NAME"),
        integrations=[FlaskIntegration(), RqIntegration()],
        traces_sample_rate=config.get("SENTRY_TRACES_SAMPLE_RATE", 0),
        send_default_pii=False,
    )
    return True
