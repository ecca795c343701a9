"""A student's rename reaches the educator's cached figures and their CSV exports at once:
the sections that hold the student are marked stale in the rename's own transaction."""

import csv
import io

from tests.educator_fixture import build
from tests.helpers import auth_for


def _names(client, user, scope):
    res = client.get(f"/api/v1/performance/export?format=csv&scope={scope}", headers=auth_for(user))
    assert res.status_code == 200, res.get_data(as_text=True)
    return [row[1] for row in csv.reader(io.StringIO(res.get_data(as_text=True)))][1:]


def _top(client, user):
    res = client.get("/api/v1/performance/overview", headers=auth_for(user))
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_a_rename_refreshes_cached_section_figures_and_csv_exports(client):
    f = build(client)
    educator, (ana, _ben, _cy) = f["educator"], f["students"]
    section = f"section:{f['section']['id']}"
    assert _names(client, educator, "overview") == ["Ana", "Cy", "Ben"]  # figures now cached
    assert _names(client, educator, section) == ["Ana", "Cy", "Ben"]
    assert "Ana" in str(_top(client, educator)["top_performers"])
    assert _top(client, educator)["cached"] is True

    res = client.patch("/api/v1/auth/me", json={"name": "Anna Renamed"}, headers=auth_for(ana))
    assert res.status_code == 200, res.get_json()

    assert _names(client, educator, "overview") == ["Anna Renamed", "Cy", "Ben"]
    assert _names(client, educator, section) == ["Anna Renamed", "Cy", "Ben"]
    top = str(_top(client, educator)["top_performers"])
    assert "Anna Renamed" in top and "'Ana'" not in top
    # a change of time zone only, or the same name again, leaves the cache alone
    client.patch("/api/v1/auth/me", json={"name": "Anna Renamed", "timezone": "Europe/Paris"}, headers=auth_for(ana))
    assert _top(client, educator)["cached"] is True
