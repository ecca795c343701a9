"""The academy: courses, enrolment and payment, progress, certificates (docs/academy.md).

access.py finds courses as the caller may see them; catalog.py edits courses, modules,
lessons and announcements; enrolment.py and payments.py take a student from enrolling to
active; progress.py counts completions; summary.py tells the educator; certificates.py
issues the PDF; notices.py reaches the student in the app, live and by email.
"""
