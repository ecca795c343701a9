"""The mentoring portal: entries, tasks, sessions and what the mentor sees (docs/portal.md).

Doors: entries.py, tasks.py, schedules.py (create, change) and schedule_list.py (lists and
the day view), attendance.py, audit.py (reading the audit log), mentors.py (a mentor's
students), insights.py (a student's insights for their mentor), mentor_metrics.py (the
mentor dashboard's figures) and figures.py (the portal's figures in those views).
"""
