"""Hand a message over: SMTP when MAIL_URL is set, else an .eml file (development, tests of the app alone)."""

import logging
import os
import smtplib
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app

log = logging.getLogger(__name__)


class MailNotConfigured(RuntimeError):
    pass


def deliver(msg):
    """Send `msg`; returns where it went. Raises on any failure (the job retries)."""
    url = current_app.config.get("MAIL_URL")
    if url:
        return _smtp(url, msg)
    if current_app.config.get("ENV_NAME") == "production":
        raise MailNotConfigured("MAIL_URL is not set; production does not write emails to files")
    return _file(msg)


def _smtp(url, msg):
    parsed = urlparse(url)
    options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    timeout = current_app.config["MAIL_TIMEOUT"]
    host = parsed.hostname or "localhost"
    if parsed.scheme == "smtps":
        server = smtplib.SMTP_SSL(host, parsed.port or 465, timeout=timeout)
    elif parsed.scheme == "smtp":
        server = smtplib.SMTP(host, parsed.port or 587, timeout=timeout)
    else:
        raise MailNotConfigured(f"MAIL_URL must start with smtp:// or smtps://, not {parsed.scheme}://")
    with server:
        if parsed.scheme == "smtp" and options.get("tls") in ("1", "true", "yes"):
            server.starttls()
        if parsed.username:
            server.login(unquote(parsed.username), unquote(parsed.password or ""))
        server.send_message(msg)
    return f"smtp://{host}:{parsed.port or ''}"


def _file(msg):
    directory = current_app.config["MAIL_DIR"]
    os.makedirs(directory, exist_ok=True)
    name = f"{msg['X-Pulse-Email-Id'] or 'message'}-{msg['X-Pulse-Type'] or 'email'}.eml"
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(msg.as_bytes())
    log.info("email to %s written to %s (MAIL_URL is not set)", msg["To"], path)
    return path
