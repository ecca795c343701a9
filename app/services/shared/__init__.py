"""The shared plumbing every domain uses; it knows no domain.

transaction.py (commit, then side effects), errors.py (the domain exceptions), cache.py
(every Redis key, its TTL and what makes it stale), queues.py (every job by name, and the
one way to enqueue), idempotency.py (Idempotency-Key), metrics.py (Prometheus), paging.py,
pruning.py, upsert.py, text.py and csv_safe.py.
"""
