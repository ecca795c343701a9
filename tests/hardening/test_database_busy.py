"""A database that is busy (the pool run dry) or gone answers 503 with Retry-After, never
a 500: the chatbot knows to send its crisis again, and a person reads a page that says to
retry. Nothing half-written is kept."""

from app.extensions import db
from app.models import ChatIntent
from tests.helpers import CHATBOT_KEY, make_user
from tests.web.pages import csrf_token

CRISIS = {"message": "I want to end my life", "intent": "crisis", "confidence": 0.95}
INTENTS, KEY = "/api/v1/chatbot/intents", {"X-Chatbot-Key": CHATBOT_KEY}


def test_a_crisis_post_while_the_pool_is_dry_is_503_with_retry_after(app, make_app):
    student_id = make_user(mentor=make_user("mentor")).id
    busy = make_app(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0, DB_POOL_TIMEOUT=1)
    with busy.app_context():
        held = db.engine.connect()  # the pool's only connection
        try:
            res = busy.test_client().post(INTENTS, json={"student_id": student_id, **CRISIS}, headers=KEY)
        finally:
            held.close()
    assert res.status_code == 503, res.get_data(as_text=True)
    assert res.get_json()["error"]["code"] == "unavailable"
    assert int(res.headers["Retry-After"]) > 0
    with app.app_context():
        assert db.session.query(ChatIntent).count() == 0  # nothing half-stored: the caller sends again
    # and once the pool has a connection again, the same post is stored and alerts
    res = busy.test_client().post(INTENTS, json={"student_id": student_id, **CRISIS}, headers=KEY)
    assert res.status_code == 201, res.get_json()


def test_a_page_whose_database_is_gone_says_to_try_again(make_app):
    """Signing in reads the database: with it unreachable, the person gets a readable 503 page."""
    user = make_user()
    gone = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:9/unreachable",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    client = gone.test_client()
    res = client.post("/login", data={"email": user.email, "password": "x", "csrf_token": csrf_token(client)})
    assert res.status_code == 503
    page = res.get_data(as_text=True)
    assert "Busy right now" in page and "try again in a few seconds" in page
