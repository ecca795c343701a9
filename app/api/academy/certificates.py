"""Certificates: public verification and the owner's download."""

from flask import Response
from flask_jwt_extended import current_user, jwt_required

from app.api.academy import blp
from app.schemas.academy import CertificateVerifyEnvelope
from app.services.academy import certificates


@blp.get("/certificates/verify/<string:code>")
@blp.response(200, CertificateVerifyEnvelope)
@blp.doc(security=[])
def verify(code):
    """Public (no token): the name, course and date on a certificate; 404 for an unknown code."""
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
