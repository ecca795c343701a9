"""RQ jobs, one module per domain. Jobs take ids, open their own session, are safe to rerun."""
