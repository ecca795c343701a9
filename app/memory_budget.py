"""How many connections a web process can hold in the memory it may use.

A Heroku standard-1X dyno has 512 MB; each open socket costs ~62 KB under gevent and
~165 KB under eventlet (greenlet, buffers, Engine.IO and Socket.IO state), on top of the
process itself, ~140 MB warmed (docs/scale.md, bench/README.md). The old fixed default of 10,000 was ~620 MB of
sockets alone: the platform would kill the process for memory long before it refused
anyone. So unless WEB_MAX_CONNECTIONS is set, the cap is what fits in the container's
cgroup memory limit (at most 10,000); when it is set and cannot fit, start-up warns.
"""

import os

KB, MB = 1024, 1024 * 1024
SOCKET_BYTES = {"gevent": 62 * KB, "eventlet": 165 * KB}
DEFAULT_SOCKET_BYTES = SOCKET_BYTES["eventlet"]  # threading (tests, development): the larger figure
BASE_BYTES = 160 * MB  # the warmed process itself: interpreter, app, pools, caches
CEILING = 10000  # the cap where no memory limit applies
FLOOR = 100  # a process always takes this many, however tight its memory
UNLIMITED = 2**60  # cgroup v1 writes "no limit" as a number near 2**63


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _own_cgroup_paths(proc_cgroup):
    """The process's cgroup path per hierarchy ({"": v2 path, "memory": v1 path}) from /proc/self/cgroup."""
    paths = {}
    for line in (_read(proc_cgroup) or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(","):
                paths[controller] = parts[2]
    return paths


def memory_limit(root="/sys/fs/cgroup", proc_cgroup="/proc/self/cgroup"):
    """The bytes this process's cgroup may use (v2 memory.max, else v1 memory.limit_in_bytes),
    or None when there is no limit or no cgroup to read."""
    own = _own_cgroup_paths(proc_cgroup)
    candidates = []
    for sub in (own.get(""), "/"):  # v2: our own group (no cgroup namespace), else the root we see
        if sub is not None:
            candidates.append(os.path.join(root, sub.lstrip("/"), "memory.max"))
    for sub in (own.get("memory"), "/"):
        if sub is not None:
            candidates.append(os.path.join(root, "memory", sub.lstrip("/"), "memory.limit_in_bytes"))
    for path in candidates:
        value = _read(path)
        if value is None:
            continue
        if value == "max" or not value.isdigit() or int(value) >= UNLIMITED:
            return None
        return int(value)
    return None


def fitting_connections(limit, async_mode):
    """Connections that fit in `limit` bytes (None: no limit) beside the process itself."""
    if limit is None:
        return CEILING
    per_socket = SOCKET_BYTES.get(async_mode, DEFAULT_SOCKET_BYTES)
    return max(FLOOR, min(CEILING, (limit - BASE_BYTES) // per_socket))


def resolve_max_connections(configured, async_mode, limit):
    """(the cap to use, a warning or None): `configured` if set, else what fits in `limit`."""
    fits = fitting_connections(limit, async_mode)
    if configured is None:
        return fits, None
    if limit is not None and configured > fits:
        return configured, (
            f"WEB_MAX_CONNECTIONS={configured} cannot fit in this container's {limit // MB} MB: "
            f"at ~{SOCKET_BYTES.get(async_mode, DEFAULT_SOCKET_BYTES) // KB} KB a socket ({async_mode}) "
            f"about {fits} can; the process would be killed for memory before refusing anyone."
        )
    return configured, None
