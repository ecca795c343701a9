"""Email: queued in the request's transaction, sent only by RQ jobs (app/jobs/email.py).

queue.py decides whether an email goes out at all (preferences, daily cap) and records it;
compose.py renders the Jinja templates under app/templates/email/; transport.py hands the
message to SMTP (MAIL_URL) or, with no setting, writes an .eml file; send.py is what the
job runs; digest.py builds the daily and weekly digests.
"""
