"""More callers at once than the process's Redis connections wait for one; none fails.
(redis-py 8 caps a plain pool at 100 and raises MaxConnectionsError past it: in a connect
storm the revocation check then fell back to the database, and the connect failed.)"""

import threading

from app.extensions import get_redis
from app.services.shared import cache

CALLERS = 120  # more than redis-py's default cap of 100


def test_more_concurrent_callers_than_connections_all_succeed(make_app):
    app = make_app(REDIS_MAX_CONNECTIONS=10, REDIS_POOL_TIMEOUT=30)
    errors, answers = [], []
    start = threading.Barrier(CALLERS)

    def caller(n):
        with app.app_context():
            start.wait()
            try:
                for _ in range(3):
                    # the revocation check's pipeline, then a call that holds its connection a moment
                    pipe = get_redis().pipeline(transaction=False)
                    answers.append(pipe.exists(cache.revoked_loaded_key()).exists(cache.revoked_key(f"j{n}")).execute())
                    get_redis().blpop(cache.revoked_key(f"pool-{n}"), timeout=0.05)
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(answers) == 3 * CALLERS
    with app.app_context():
        assert get_redis().connection_pool.max_connections == 10
