"""CSV that spreadsheets cannot run: a cell that starts like a formula is escaped.

Excel, LibreOffice and Google Sheets treat a cell starting with =, +, -, @, a tab or a
carriage return as a formula (`=HYPERLINK(...)` becomes a live link). A leading
apostrophe makes them show the text as it is (OWASP's advice for CSV injection).
"""

import csv
import io
import itertools

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a CSV cell that no spreadsheet evaluates; numbers and None pass as they are."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def lines(header, rows):
    """The CSV one line at a time (header first), every cell made safe: for streaming."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in itertools.chain([header], rows):
        writer.writerow([safe_cell(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
