"""What happened, for people (the activity feed) and for the record (the audit log).

feed.py writes both in the caller's transaction (record, audit) and reads the feed with
the caller's visibility. Reading the audit log of one entity is portal/audit.py.
"""
