"""The platform's rules. Services own the commit, then cache invalidation, enqueue and emit."""
