"""Academy test helpers: courses built through the API, and a real SMTP server (aiosmtpd)."""

import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller

from tests.helpers import auth_for


def make_course(client, educator, price=0, lessons=2, published=True, title="Flask from zero"):
    """A course with one module and `lessons` published lessons; returns (course, [lesson ids])."""
    res = client.post(
        "/api/v1/courses",
        json={"title": title, "description": "Learn it.", "price": price, "published": published},
        headers=auth_for(educator),
    )
    assert res.status_code == 201, res.get_json()
    course = res.get_json()["course"]
    module = client.post(
        f"/api/v1/courses/{course['id']}/modules", json={"title": "Basics"}, headers=auth_for(educator)
    ).get_json()["module"]
    lesson_ids = [add_lesson(client, educator, course["id"], module["id"], f"Lesson {i + 1}") for i in range(lessons)]
    return course, lesson_ids, module["id"]


def add_lesson(client, educator, course_id, module_id, title, published=True):
    res = client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"module_id": module_id, "title": title, "body": "Read this.", "published": published},
        headers=auth_for(educator),
    )
    assert res.status_code == 201, res.get_json()
    return res.get_json()["lesson"]["id"]


def enrol(client, student, course_id, expect=201):
    res = client.post(f"/api/v1/courses/{course_id}/enrol", headers=auth_for(student))
    assert res.status_code == expect, res.get_json()
    return res.get_json().get("enrolment")


def complete(client, student, course_id, lesson_id, expect=200):
    res = client.post(f"/api/v1/courses/{course_id}/lessons/{lesson_id}/complete", headers=auth_for(student))
    assert res.status_code == expect, res.get_json()
    return res.get_json().get("progress")


class Inbox:
    """Messages the SMTP server received, parsed, in arrival order."""

    def __init__(self):
        self.messages = []
        self._cond = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    subjects = [m["Subject"] for m in self.messages]
                    raise AssertionError(f"no such email within {timeout}s; got {subjects}")
                self._cond.wait(remaining)

    def subjects(self, to=None):
        with self._cond:
            return [m["Subject"] for m in self.messages if to is None or m["To"] == to]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()
