"""A small Server-Sent Events reader for the tests: reads a stream in a thread, records events."""

import json
import socket
import threading
import time

import requests


class SSEReader:
    def __init__(self, url, headers=None):
        self.response = requests.get(url, headers=headers or {}, stream=True, timeout=(5, 30))
        self.status_code = self.response.status_code
        # Named events (addEventListener) and unnamed ones (what EventSource.onmessage sees).
        self.events, self.messages, self.comments = [], [], []
        self._cond = threading.Condition()
        self.ended = threading.Event()  # set when the server ends the stream
        if self.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if "data" in event:
                        event["data"] = json.loads(event["data"])
                        with self._cond:
                            (self.events if "event" in event else self.messages).append(event)
                            self._cond.notify_all()
                    event = {}
                elif line.startswith(":"):
                    with self._cond:
                        self.comments.append(line[1:].strip())
                        self._cond.notify_all()
                else:
                    key, _, value = line.partition(":")
                    event[key] = value.lstrip(" ")
            self.ended.set()
        except (requests.RequestException, AttributeError, ValueError):
            pass  # closed by the test

    def wait_for(self, count=1, timeout=10.0, comment=None, unnamed=False):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.messages if unnamed else self.events
                if comment is not None and any(c.startswith(comment) for c in self.comments):
                    return self.comments
                if comment is None and len(found) >= count:
                    return found[:count]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"wanted {count} events / {comment!r}; got {self.events} {self.comments}")
                self._cond.wait(remaining)

    def close(self):
        # Shut the socket first: the reader thread is blocked in recv() holding the buffer's
        # lock, and close() alone would wait for the server's next heartbeat.
        sock = getattr(getattr(self.response.raw, "_connection", None), "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.response.close()
