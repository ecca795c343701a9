"""WEB_MAX_CONNECTIONS: past the limit a new connection is refused at once, never left hanging."""

import socket

import pytest

from tests.conftest import server_log, start_web, stop


def _open(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_past_the_limit_a_connection_is_refused_not_left_hanging(mode):
    proc, url = start_web(mode, WEB_MAX_CONNECTIONS="5")
    port = int(url.rsplit(":", 1)[1])
    held = []
    try:
        # wait_for_port's probe connection may still be closing: fill up to the limit, then one more
        for _ in range(5):
            s = _open(port)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(12).startswith(b"HTTP/1.1 200")  # served, kept alive
            held.append(s)
        extra = _open(port)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            answer = extra.recv(64)  # the 5 s socket timeout would raise if it hung
        except ConnectionResetError:
            answer = b""  # closed at once is as good as a 503
        assert answer == b"" or answer.startswith(b"HTTP/1.1 503")
        extra.close()
        # a slot freed is usable again
        held.pop().close()
        for _ in range(50):
            again = _open(port)
            again.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                if again.recv(12).startswith(b"HTTP/1.1 200"):
                    break
            except ConnectionResetError:
                pass
            finally:
                again.close()
        else:
            pytest.fail("a freed slot was never reused")
    finally:
        for s in held:
            s.close()
        stop(proc)
    output = server_log(proc)
    assert "open-files limit" in output
