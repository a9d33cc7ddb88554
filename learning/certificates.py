"""The certificate as a PDF, drawn with ReportLab."""

from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

BRAND = HexColor("#1d70b8")
TEXT = HexColor("#0b0c0c")
GREY = HexColor("#505a5f")


def certificate_pdf(enrolment, verify_url: str) -> bytes:
    """One landscape A4 page: name, module, completion date and verification code."""
    buffer = BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    name = enrolment.user.get_full_name() or enrolment.user.email
    completed = format_date(timezone.localtime(enrolment.completed_at), "j F Y")
    pdf.setTitle(f"{settings.SERVICE_NAME} certificate: {enrolment.module.title}")
    pdf.setAuthor(settings.SERVICE_NAME)

    pdf.setFillColor(BRAND)
    pdf.rect(0, height - 28, width, 28, stroke=0, fill=1)
    pdf.setFillColor(TEXT)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(48, height - 80, settings.SERVICE_NAME)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 170, "This is to certify that")
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 215, name)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 260, "has completed the module")
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(width / 2, height - 300, enrolment.module.title)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 340, f"on {completed}")

    pdf.setFillColor(GREY)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(48, 72, f"Verification code: {enrolment.certificate_code}")
    pdf.drawString(48, 54, f"Check it at {verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
