"""The pending payments queue, live for every admin: a decision anywhere refreshes the
queue on every admin's open page (the service's payment:changed event in the admins room)."""

from flask import g, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from app.services.academy import payments
from app.web.admin import blp
from app.web.session import is_htmx, require_role

NOTE_MAX = 500


def _queue():
    return render_template("web/admin/_payments.html", rows=payments.list_payments())


@blp.get("/payments")
@require_role("admin")
def payments_page():
    """Payments waiting for an admin's approval, oldest first."""
    return render_template("web/admin/payments.html", rows=payments.list_payments(), active="payments")


@blp.get("/payments/_queue")
@require_role("admin")
def payments_queue():
    """The pending queue alone (the page refreshes it on every payment:changed and reconnect)."""
    return _queue()


@blp.post("/payments/<int:payment_id>/<any(approve, reject):decision>")
@require_role("admin")
def decide_payment(payment_id, decision):
    """Approve or reject a pending payment, with an optional note to the student."""
    note = (request.form.get("note") or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise BadRequest(f"A note has at most {NOTE_MAX} characters.")
    getattr(payments, decision)(g.person, payment_id, note)
    if is_htmx():
        return _queue()
    return redirect(url_for("web.admin.payments_page"))
