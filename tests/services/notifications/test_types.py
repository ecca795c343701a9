"""One registry of notification types (app/services/notifications/types.py): every type the
code can send is in it, so every one can be chosen in the preferences; the crisis and
security types stay locked."""

import ast
import pathlib

from app.services.academy import notices
from app.services.crisis import alerts
from app.services.notifications import preferences
from app.services.notifications import types as registry
from app.services.performance import recompute
from tests.educator_fixture import build
from tests.helpers import auth_for, make_user

APP = pathlib.Path(__file__).resolve().parents[3] / "app"
URL = "/api/v1/notifications/preferences"
SENDERS = {"notify": 1, "notify_admins": 0}  # function -> index of its `type` argument
# Where the type is a variable passed through: the forwarding functions themselves.
FORWARDERS = {("notifications/inbox.py", "type"), ("academy/notices.py", "type"), ("crisis/alerts.py", "CRISIS")}


def sent_types():
    """(file, what names the type) for every notify()/notify_admins() call under app/ (every
    module imports the inbox as `notifications`: a grep of the imports in the test below)."""
    found = []
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "notifications":
                name = func.attr  # every sender imports the inbox as `notifications`
            elif isinstance(func, ast.Name) and path.name == "inbox.py":
                name = func.id
            else:
                continue
            if name not in SENDERS or len(node.args) <= SENDERS[name]:
                continue
            found.append((str(path.relative_to(APP / "services")) if "services" in path.parts else str(path),
                          node.args[SENDERS[name]]))  # fmt: skip
    return found


def test_every_type_the_code_can_send_is_in_the_registry():
    # senders are services (pages only read the inbox, and may import it by its name)
    imports = [p for p in (APP / "services").rglob("*.py") if "import inbox" in p.read_text()]
    assert all("import inbox as notifications\n" in p.read_text() for p in imports), imports
    calls = sent_types()
    assert len(calls) >= 20  # the scan sees the senders
    for where, arg in calls:
        if isinstance(arg, ast.Constant):
            assert arg.value in registry.ALL, (where, arg.value)
        elif isinstance(arg, ast.Attribute):  # notification_types.AT_RISK and the like
            assert isinstance(arg.value, ast.Name) and arg.value.id == "notification_types", (where, ast.dump(arg))
            assert getattr(registry, arg.attr) in registry.ALL, (where, arg.attr)
        elif isinstance(arg, ast.IfExp):
            for branch in (arg.body, arg.orelse):
                assert getattr(registry, branch.attr) in registry.ALL, (where, ast.dump(branch))
        else:
            assert (where, getattr(arg, "id", None)) in FORWARDERS, (where, ast.unparse(arg))
    # what the forwarders pass on
    assert set(notices.KINDS.values()) <= set(registry.ALL)
    assert alerts.CRISIS in registry.MANDATORY


def test_the_preferences_offer_exactly_the_registry():
    assert preferences.KNOWN_TYPES == registry.ALL
    locked = {"crisis_alert", "crisis_concern", "escalation", "security"}
    assert preferences.MANDATORY_TYPES == registry.MANDATORY == locked
    assert len(set(registry.ALL)) == len(registry.ALL)


def test_an_educator_can_turn_off_at_risk_and_export_ready_but_not_crisis(client):
    mentor = make_user("mentor")
    f = build(client, mentor=mentor)
    educator = f["educator"]
    shown = client.get(URL, headers=auth_for(educator)).get_json()["types"]
    assert shown["at_risk"] == shown["export_ready"] == {"in_app": True, "email": True}
    body = {"types": {"at_risk": {"in_app": False, "email": False}, "export_ready": {"email": False}}}
    res = client.put(URL, json=body, headers=auth_for(educator))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["types"]["at_risk"] == {"in_app": False, "email": False}
    assert res.get_json()["types"]["export_ready"] == {"in_app": True, "email": False}
    for locked in registry.MANDATORY:
        res = client.put(URL, json={"types": {locked: {"email": False}}}, headers=auth_for(educator))
        assert res.status_code == 422 and res.get_json()["error"]["code"] == "preference_locked"

    # honoured: the educator hears no at-risk notice, the mentor (who kept it) does
    from app.models import utcnow

    recompute.recompute_section(f["section"]["id"], now=utcnow(), summaries_now=True)
    from app.extensions import db
    from app.models import Notification

    def at_risk(user):
        return db.session.query(Notification).filter_by(user_id=user.id, type="at_risk").count()

    assert at_risk(educator) == 0 and at_risk(mentor) == 3
