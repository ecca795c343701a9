"""Certificates: public verification and the owner's download."""

from flask import Response, current_app
from flask_jwt_extended import current_user, jwt_required

from app.api.academy import blp
from app.api.gate import own_limits_only
from app.api.limits import client_address
from app.extensions import limiter
from app.schemas.academy import CertificateVerifyEnvelope
from app.services.academy import certificates


@blp.get("/certificates/verify/<string:code>")
# Its own bucket per address: an employer checking a class's certificates must not lock that
# address out of everything else (and codes still cannot be guessed by trying).
@limiter.limit(lambda: current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"], key_func=client_address)
@blp.response(200, CertificateVerifyEnvelope)
@blp.doc(security=[])
@own_limits_only
def verify(code):
    """Public (no token): the name, course and date on a certificate; 404 for an unknown code.

    Rate limited per client address (`CERTIFICATE_VERIFY_RATE_LIMIT`), apart from the anonymous limit.
    """
    return {"certificate": certificates.verify(code)}


@blp.get("/certificates/<int:certificate_id>/pdf")
@jwt_required()
@blp.doc(
    responses={
        200: {
            "description": "The PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
def download(certificate_id):
    """The certificate as a PDF, for its owner (or an admin)."""
    certificate = certificates.for_download(current_user, certificate_id)
    return Response(
        certificate.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'},
    )
