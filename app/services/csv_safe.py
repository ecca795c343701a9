"""CSV that spreadsheets cannot run: a cell that starts like a formula is escaped.

Excel, LibreOffice and Google Sheets treat a cell starting with =, +, -, @, a tab or a
carriage return as a formula (`=HYPERLINK(...)` becomes a live link). A leading
apostrophe makes them show the text as it is (OWASP's advice for CSV injection).
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a CSV cell that no spreadsheet evaluates; numbers and None pass as they are."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(header, rows):
    """A whole CSV document (header first) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
