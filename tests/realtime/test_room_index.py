"""Each socket's rooms are known without scanning every room of the namespace: a reconnect
storm's disconnects cost the event loop seconds when each one scanned ~8,000 rooms."""

import socketio
from socketio.base_manager import BaseManager

from app.services.realtime.manager import NamespacedRedisManager

NS = "/"


def _manager_with(sockets):
    manager = NamespacedRedisManager("redis://127.0.0.1:1/0", "pulse-test-rooms", "ns-rooms")
    socketio.Server(client_manager=manager, async_mode="threading")  # gives the manager its server (ids)
    sids = {}
    for eio_sid, rooms in sockets.items():
        sid = manager.connect(eio_sid, NS)
        for room in rooms:
            manager.enter_room(sid, NS, room)
        sids[eio_sid] = sid
    return manager, sids


def test_get_rooms_answers_what_a_scan_of_every_room_answers():
    manager, sids = _manager_with({"e1": ["user:1", "cohort:7"], "e2": ["user:2", "cohort:7"], "e3": []})
    for sid in sids.values():
        assert sorted(manager.get_rooms(sid, NS)) == sorted(BaseManager.get_rooms(manager, sid, NS))
    manager.leave_room(sids["e1"], NS, "cohort:7")
    assert sorted(manager.get_rooms(sids["e1"], NS)) == sorted([sids["e1"], "user:1"])
    assert manager.get_rooms("no-such-sid", NS) == []


def test_a_disconnect_leaves_exactly_its_own_rooms_and_forgets_the_socket():
    manager, sids = _manager_with({"e1": ["user:1", "cohort:7"], "e2": ["user:2", "cohort:7"]})
    manager.pre_disconnect(sids["e1"], NS)
    manager.disconnect(sids["e1"], NS, ignore_queue=True)  # as the server calls it
    assert not manager.is_connected(sids["e1"], NS)
    assert "user:1" not in manager.rooms[NS] and sids["e1"] not in manager.rooms[NS]
    assert [sid for sid, _eio in manager.get_participants(NS, "cohort:7")] == [sids["e2"]]
    assert (NS, sids["e1"]) not in manager._rooms_of and manager.pending_disconnect == {}
    assert sorted(manager.get_rooms(sids["e2"], NS)) == sorted([sids["e2"], "user:2", "cohort:7"])
    manager.disconnect(sids["e2"], NS, ignore_queue=True)
    assert manager._rooms_of == {} and NS not in manager.rooms
