"""A web process stopped as the platform stops a dyno (SIGTERM; SIGKILL would follow 30 s
later) with clients connected: it stops accepting, ends its SSE streams with a retry hint,
drops its sockets so that they reconnect, and exits well within the 30 s. Every client is
then back on another process (started on the same address once the first stopped
listening, as the router would send it there) and its `sync` gives exactly what it missed."""

import asyncio
import signal
import socket
import time
from collections import Counter

import pytest

from tests.conftest import server_log, start_web
from tests.helpers import auth_for, token_for
from tests.scale.test_chaos_web import WAIT, Peer, _notify, _students, _until
from tests.sse import SSEReader

pytestmark = pytest.mark.chaos

CLIENTS = 30
PLATFORM_GRACE = 30


def _refused(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return False
    except OSError:
        return True


def _slots_held(user_id):
    from app.extensions import get_redis
    from app.services.realtime.connections import user_key

    return get_redis().zcard(user_key(user_id))


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_sigterm_every_client_is_back_on_another_process_with_nothing_missed(mode, client):
    users = _students(CLIENTS)
    tokens = {u.id: token_for(u) for u in users}
    proc, url = start_web(mode, WEB_SHUTDOWN_GRACE="10")
    port = int(url.rsplit(":", 1)[1])
    peers = {u.id: Peer(url, tokens[u.id]) for u in users}
    started = [proc]
    state = {}
    stream = SSEReader(f"{url}/api/v1/student/dashboard/stream", auth_for(users[0]))
    assert stream.status_code == 200

    async def scenario():
        for start in range(0, CLIENTS, 15):
            await asyncio.gather(*(p.connect() for p in list(peers.values())[start : start + 15]))
        await _until(lambda: all(p.sessions == 1 for p in peers.values()), "every first session")
        before = _notify(users, "Before")
        await _until(lambda: all(p.seen == before[sid] for sid, p in peers.items()), "the live notifications")

        stopped_at = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await _until(lambda: _refused(port), "the process to stop accepting")
        await _until(lambda: not any(p.sio.connected for p in peers.values()), "every socket dropped")
        await _until(lambda: proc.poll() is not None, "the process to exit")
        state["took"] = time.monotonic() - stopped_at
        # nor does it keep its users' connection slots until they lapse
        state["slots"] = {u.id: _slots_held(u.id) for u in users}
        missed = _notify(users, "Missed", lambda n: 1 + n % 3)

        other, _ = start_web(mode, port)  # another process where the router would send them
        started.append(other)
        await _until(
            lambda: all(p.back for p in peers.values()),
            lambda: f"every client to reconnect: {Counter(p.back for p in peers.values())}",
        )
        replies = await asyncio.gather(
            *(p.sio.call("sync", {"last_id": p.last_id}, timeout=WAIT) for p in peers.values())
        )
        for (sid, peer), reply in zip(peers.items(), replies, strict=True):
            assert [item["id"] for item in reply["items"]] == missed[sid], sid
            assert peer.seen == before[sid]
        after = _notify(users, "After")
        await _until(lambda: all(p.seen == before[sid] + after[sid] for sid, p in peers.items()), "live again")
        await asyncio.gather(*(p.sio.disconnect() for p in peers.values()))

    try:
        asyncio.run(scenario())
        assert proc.returncode == 0, server_log(proc, lines=300)
        assert set(state["slots"].values()) == {0}, state["slots"]
        assert state["took"] < PLATFORM_GRACE - 10, f"stopping took {state['took']:.1f}s"
        # the SSE stream was ended by the server, with its reconnect hint, not cut
        assert stream.ended.wait(5) and "server restarting, reconnect" in stream.comments
    except BaseException:
        for server in started:
            print(server_log(server, lines=300))
        raise
    finally:
        stream.close()
        for server in started:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=10)
