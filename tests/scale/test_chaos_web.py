"""Chaos: a web process killed and started again with 100 python-socketio clients connected.
Every client reconnects by itself, and `sync` from the last notification it saw gives each
exactly the notifications it missed while it was disconnected (no more, none lost)."""

import asyncio
from collections import Counter

import pytest
import socketio

from app.extensions import db
from app.models import Role, User
from app.services.notifications import inbox as notifications
from app.services.shared.transaction import commit
from tests.conftest import server_log, start_web
from tests.helpers import make_user, token_for

pytestmark = pytest.mark.chaos

CLIENTS = 100
WAIT = 60  # seconds any one phase may take on a loaded machine


def _students(count):
    template = make_user(name="Template")  # one password hash for all: hashing 100 would dominate
    users = [
        User(email=f"chaos-{n}-{template.id}@example.test", name=f"Student {n}", role=Role.STUDENT)
        for n in range(count)
    ]
    for u in users:
        u.password_hash = template.password_hash
    db.session.add_all(users)
    db.session.commit()
    return users


def _notify(users, title, times=lambda n: 1):
    """Notifications for each user (`times(n)` for the n-th), in one transaction; {user id: [ids]}."""
    made = {
        u.id: [notifications.notify(u, "info", f"{title} {k}").id for k in range(times(n))] for n, u in enumerate(users)
    }
    commit()  # published now; while the server is down, to nobody
    return made


class Peer:
    """One dashboard tab: reconnects by itself, remembers the last notification id it saw."""

    def __init__(self, url, token):
        self.url, self.token = url, token
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sessions, self.seen = 0, []
        self.sio.on("session", self._session)
        self.sio.on("notification", self._notification)

    async def _session(self, data):
        self.sessions += 1

    async def _notification(self, data):
        self.seen.append(data["id"])

    @property
    def back(self):
        """Reconnected: a new session, and the namespace connected (its ack may follow `session`)."""
        return self.sessions >= 2 and "/" in self.sio.namespaces

    @property
    def last_id(self):
        return max(self.seen, default=0)

    async def connect(self):
        await self.sio.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=WAIT)


async def _until(condition, what):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        await asyncio.sleep(0.05)


# gevent only, the recommended mode. Under eventlet 1 run in 4 on a loaded machine lost the
# process's Redis pub/sub after the restart ("Second simultaneous read on fileno": a psycopg2
# connection opened by psycogreen reused the descriptor of one the hub still watched), so a
# `sync` got no answer: a known defect of eventlet mode (docs/scale.md), not tested away.
@pytest.mark.parametrize("mode", ["gevent"])
def test_web_restarted_clients_reconnect_and_sync_gives_exactly_what_each_missed(mode):
    users = _students(CLIENTS)
    tokens = {u.id: token_for(u) for u in users}
    proc, url = start_web(mode)
    port = int(url.rsplit(":", 1)[1])
    peers = {u.id: Peer(url, tokens[u.id]) for u in users}
    state = {"proc": proc}
    started = [proc]

    async def scenario():
        for start in range(0, CLIENTS, 20):  # in waves: a client's connect times out on a loaded machine
            await asyncio.gather(*(p.connect() for p in list(peers.values())[start : start + 20]))
        await _until(lambda: all(p.sessions == 1 for p in peers.values()), "every first session")

        before = _notify(users, "Before")
        await _until(lambda: all(p.seen == before[sid] for sid, p in peers.items()), "the live notifications")

        state["proc"].kill()  # the web process dies with every socket open
        state["proc"].wait(timeout=10)
        await _until(lambda: not any(p.sio.connected for p in peers.values()), "every client to see it")
        missed = _notify(users, "Missed", lambda n: 1 + n % 3)

        state["proc"], _ = start_web(mode, port)  # the same address: the clients' own retries find it
        started.append(state["proc"])
        await _until(
            lambda: all(p.back for p in peers.values()),
            lambda: f"every client to reconnect: {Counter(p.back for p in peers.values())}",
        )

        replies = await asyncio.gather(
            *(p.sio.call("sync", {"last_id": p.last_id}, timeout=WAIT) for p in peers.values())
        )
        for (sid, peer), reply in zip(peers.items(), replies, strict=True):
            assert [item["id"] for item in reply["items"]] == missed[sid], sid
            assert peer.seen == before[sid]  # nothing of what was missed arrived live

        after = _notify(users, "After")
        await _until(lambda: all(p.seen == before[sid] + after[sid] for sid, p in peers.items()), "live again")
        await asyncio.gather(*(p.sio.disconnect() for p in peers.values()))

    try:
        asyncio.run(scenario())
    except BaseException:
        for server in started:
            print(server_log(server, lines=300))
        raise
    finally:
        state["proc"].kill()
        state["proc"].wait(timeout=10)
