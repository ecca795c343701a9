"""All-or-nothing uploads: every row checked, every bad row listed, nothing saved if one is bad."""

import csv
import io

from app.services.shared.errors import Invalid

MAX_ROWS = 2000


def parse_csv(text, columns):
    """Rows of a CSV upload as dicts of strings, each with its line number; a header line is optional.

    A line the csv module cannot read (a lone CR as line ending, a field over its size limit)
    is a bad row like any other: 422 naming it, nothing saved. Reading stops there, since
    what follows cannot be told apart reliably."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # spreadsheets often start with a BOM
    rows = []
    line = 0
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            raise Invalid(
                "invalid_rows",
                "A row could not be read as CSV; nothing was saved.",
                {"rows": {str(line): {"_row": [_csv_problem(exc)]}}},
            ) from None
        if not any(c.strip() for c in cells):
            continue
        if line == 1 and cells and cells[0].strip().lower() == columns[0]:
            continue
        row = {name: (cells[i].strip() if i < len(cells) else None) for i, name in enumerate(columns)}
        if len(cells) > len(columns):
            row["_extra"] = cells[len(columns) :]
        rows.append((line, row))


def _csv_problem(exc):
    message = str(exc)
    if "field larger than field limit" in message:
        return f"A field is longer than {csv.field_size_limit()} characters."
    if "new-line character" in message:
        return "A line ends with a lone carriage return (CR); save the file with LF or CRLF line endings."
    return f"Not readable as CSV: {message}."


def numbered(items):
    """A JSON list's rows numbered from 1."""
    return list(enumerate(items, start=1))


def as_int(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError


def as_number(value):
    if isinstance(value, bool) or value is None:
        raise ValueError
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError
    return number


def student_checker(allowed_fields, enrolled):
    """check_row(row, errors) -> the row's student id, filling `errors` with what is wrong with
    its fields and its student (unknown fields, not enrolled, twice in one upload)."""
    seen = set()

    def check_row(row, errors):
        unknown = sorted(k for k in row if k not in allowed_fields)
        if unknown:
            errors["_row"] = [f"Unknown field(s): {', '.join(unknown)}."]
        try:
            student_id = as_int(row.get("student_id"))
        except (TypeError, ValueError):
            errors["student_id"] = ["A student id (a positive integer) is required."]
            return None
        if student_id not in enrolled:
            errors["student_id"] = [f"Student {student_id} is not enrolled in this section."]
        elif student_id in seen:
            errors["student_id"] = [f"Student {student_id} appears more than once."]
        seen.add(student_id)
        return student_id

    return check_row


def check_all(rows, check):
    """check(row) -> (clean value, {field: [messages]}); raise Invalid listing every bad row."""
    if not rows:
        raise Invalid("empty_upload", "Send at least one row.", {"rows": ["Send at least one row."]})
    if len(rows) > MAX_ROWS:
        raise Invalid("too_many_rows", f"Send at most {MAX_ROWS} rows.", {"rows": [f"At most {MAX_ROWS} rows."]})
    clean, bad = [], {}
    for number, row in rows:
        if not isinstance(row, dict):
            bad[str(number)] = {"_row": ["Each row is an object."]}
            continue
        value, errors = check(row)
        if errors:
            bad[str(number)] = errors
        else:
            clean.append(value)
    if bad:
        raise Invalid(
            "invalid_rows",
            f"{len(bad)} row(s) are invalid; nothing was saved.",
            {"rows": bad},
        )
    return clean
