"""The expiry sweep looks only at the sockets due (a heap by token expiry), not at every
socket of the process, and forgets disconnected sockets. The end-to-end expiry of a live
socket is in test_membership_live.py."""

import pytest

from app.services.realtime import membership


class StandIn:
    """python-socketio's server as the sweep uses it: which sids are connected, their
    sessions, and what was ended."""

    def __init__(self, sessions):
        self.sessions, self.ended = sessions, []
        self.manager = self

    def is_connected(self, sid, namespace):
        return sid in self.sessions

    def get_session(self, sid, namespace):
        return self.sessions[sid]

    def emit(self, *args, **kwargs):
        pass

    def disconnect(self, sid, **kwargs):
        self.ended.append(sid)
        self.sessions.pop(sid)


@pytest.fixture(autouse=True)
def empty_heap():
    membership._expiries.clear()
    membership._open.clear()
    yield
    membership._expiries.clear()
    membership._open.clear()


def test_only_the_sockets_due_are_ended_soonest_first():
    server = StandIn({"a": {"exp": 100}, "b": {"exp": 50}, "c": {"exp": 500}})
    for sid, session in server.sessions.items():
        membership.track_expiry(sid, session["exp"])
    assert membership.sweep_expired(server, now=120) == 2
    assert server.ended == ["b", "a"] and list(server.sessions) == ["c"]
    assert membership.sweep_expired(server, now=130) == 0  # nothing else is due
    assert membership.sweep_expired(server, now=600) == 1 and server.ended[-1] == "c"


def test_a_disconnected_socket_is_skipped_and_the_heap_pruned():
    server = StandIn({"kept": {"exp": 10}})
    membership.track_expiry("kept", 10)
    for i in range(3000):  # sockets that came and went
        membership.track_expiry(f"gone-{i}", 5)
        membership.forget(f"gone-{i}")
    assert len(membership._expiries) <= 2 * 1 + 1024 + 1
    assert membership.sweep_expired(server, now=20) == 1 and server.ended == ["kept"]
