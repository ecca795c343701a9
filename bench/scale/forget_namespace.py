"""Delete the Redis keys of this run's namespace (PULSE_NAMESPACE), and nothing else: the
keys it names (`<namespace>:...`) and RQ's for its queues and jobs (`rq:...<namespace>...`)."""

import os

import redis


def forget(url, namespace):
    """Delete every key whose name holds `namespace`; returns how many."""
    if not namespace or len(namespace) < 8:  # never a pattern that could match someone else's keys
        raise SystemExit(f"refusing to delete keys of namespace {namespace!r}")
    r = redis.Redis.from_url(url)
    deleted = 0
    for pattern in (f"{namespace}:*", f"rq:*{namespace}*"):
        batch = []
        for key in r.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                deleted += r.delete(*batch)
                batch = []
        if batch:
            deleted += r.delete(*batch)
    return deleted


if __name__ == "__main__":
    namespace = os.environ["PULSE_NAMESPACE"]
    print(f"deleted {forget(os.environ['REDIS_URL'], namespace)} keys of {namespace}")
