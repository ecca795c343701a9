"""Educator performance analytics: sections, exams, grades, attendance and their figures."""
