"""A performance report as a PDF (fpdf2): headline figures, a grade distribution chart, the
weekly trend, and a table. Core fonts only, so text is kept to Latin-1."""

from fpdf import FPDF

from app.services.performance import rules


def _text(value):
    return str("" if value is None else value).encode("latin-1", "replace").decode("latin-1")


def _bar_chart(pdf, distribution):
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Grade distribution", new_x="LMARGIN", new_y="NEXT")
    x0, y0, height, width = pdf.l_margin, pdf.get_y() + 2, 40, 16
    top = max(distribution.values()) or 1
    pdf.set_font("Helvetica", "", 8)
    for i, band in enumerate(rules.BAND_NAMES):
        count = distribution.get(band, 0)
        bar = height * count / top
        x = x0 + i * (width + 4)
        pdf.set_fill_color(70, 110, 190)
        if bar:
            pdf.rect(x, y0 + height - bar, width, bar, style="F")
        pdf.text(x + 4, y0 + height + 5, band)
        pdf.text(x + 4, y0 + height - bar - 1, str(count))
    pdf.set_y(y0 + height + 10)


def _trend_chart(pdf, weeks):
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Weekly trend (average %, attendance %)", new_x="LMARGIN", new_y="NEXT")
    x0, y0, height = pdf.l_margin, pdf.get_y() + 2, 40
    step = 170 / max(len(weeks) - 1, 1)
    pdf.set_draw_color(180, 180, 180)
    pdf.rect(x0, y0, 170, height)
    for key, colour in (("average", (200, 60, 60)), ("attendance_percentage", (60, 150, 60))):
        pdf.set_draw_color(*colour)
        points = [
            (x0 + i * step, y0 + height - height * w[key] / 100) for i, w in enumerate(weeks) if w[key] is not None
        ]
        for a, b in zip(points, points[1:], strict=False):
            pdf.line(a[0], a[1], b[0], b[1])
        pdf.set_fill_color(*colour)
        for x, y in points:
            pdf.circle(x=x, y=y, radius=0.8, style="F")
    pdf.set_font("Helvetica", "", 7)
    for i, w in enumerate(weeks):
        pdf.text(x0 + i * step - 4, y0 + height + 4, w["week_start"][5:])
    pdf.set_y(y0 + height + 8)


def render(title, headline, distribution, weeks, header, rows):
    """The PDF as bytes."""
    pdf = FPDF()
    pdf.set_title(_text(title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in headline:
        pdf.cell(0, 6, _text(f"{label}: {'-' if value is None else value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _bar_chart(pdf, distribution)
    _trend_chart(pdf, weeks)
    pdf.set_font("Helvetica", "B", 8)
    width = (pdf.w - 2 * pdf.l_margin) / max(len(header), 1)
    for name in header:
        pdf.cell(width, 6, _text(name), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in rows:
        for cell in row:
            pdf.cell(width, 6, _text(cell)[:28], border=1)
        pdf.ln()
    return bytes(pdf.output())
