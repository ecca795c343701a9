"""Render an email row into a MIME message: Jinja templates, text and HTML, and the headers."""

from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template

# A page (it sends each role to its settings), never the JSON API: people open it in a browser.
UNSUBSCRIBE_PATH = "/settings"


def links():
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {"base_url": base, "preferences_url": base + UNSUBSCRIBE_PATH}


def build(row, recipient_name=""):
    """The message for an EmailMessage row: email/<template>.subject.txt, .txt and .html."""
    context = {**row.context, **links(), "name": recipient_name}
    subject = render_template(f"email/{row.template}.subject.txt", **context).strip()
    msg = MimeMessage()
    msg["Subject"] = " ".join(subject.split())  # one line, whatever the template did
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = row.to_address
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=f"pulse-{row.id}")
    msg["X-Pulse-Email-Id"] = str(row.id)
    msg["X-Pulse-Type"] = row.type
    if not row.critical:
        # Mail clients show an unsubscribe button; it leads to the preferences.
        msg["List-Unsubscribe"] = f"<{context['preferences_url']}>"
    msg.set_content(render_template(f"email/{row.template}.txt", **context))
    msg.add_alternative(render_template(f"email/{row.template}.html", **context), subtype="html")
    return msg
