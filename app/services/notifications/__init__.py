"""Telling people: the in-app inbox, preferences, and email.

Doors: inbox.py (notify, list, mark read; every role's inbox), preferences.py (per type and
channel, and the digest), types.py (the registry of every notification type), mail/ (queued
in the request's transaction, sent by jobs).
"""
