"""Educator performance analytics: sections, exams, grades, attendance and their figures
(docs/performance.md).

Doors: teaching.py (the cohorts admins assign to an educator), sections.py, exams.py,
grades.py, attendance.py (the educator's writes); reports.py
and students.py (the figures read); exports.py (CSV and PDF); rules.py and figures.py (one
definition per figure); live.py (coalesced live events) and changes.py (what
they say changed); hooks.py (the figures in the
mentor's insights and the student's dashboard).
"""
