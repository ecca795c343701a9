"""The educator's overview page with Flask's test client: the figures equal the API's
GET /performance/overview, filters narrow them, the live region renders alone, and the
not-allowed paths (anonymous, another role, someone else's section)."""

import re

from tests import educator_fixture as fx
from tests import factories
from tests.helpers import auth_for
from tests.web.pages import csrf_token, sign_in


def figure(html, key):
    found = re.search(rf'data-figure="{re.escape(key)}" data-value="([^"]*)"', html)
    return found.group(1) if found else None


def api_overview(client, educator):
    return client.get("/api/v1/performance/overview", headers=auth_for(educator)).get_json()


def test_the_overview_shows_the_apis_figures_and_the_at_risk_reasons(client):
    built = fx.build(client)
    educator, (ana, ben, cy) = built["educator"], built["students"]
    sign_in(client, educator)
    html = client.get("/educator").get_data(as_text=True)
    api = api_overview(client, educator)
    assert figure(html, "total_students") == str(api["total_students"]) == "3"
    assert float(figure(html, "overall_average")) == api["overall_average"] == 75.83
    assert float(figure(html, "pass_rate")) == api["pass_rate"]
    assert float(figure(html, "attendance_percentage")) == api["attendance_percentage"] == 75.0
    for band, count in api["grade_distribution"].items():
        assert figure(html, f"band:{band}") == str(count)
    assert figure(html, "subject:algebra") == "76.67" and figure(html, "subject:geometry") == "72.5"
    risk = html[html.index('id="at-risk"') :]
    assert f'data-student="{ben.id}"' in risk and f'data-student="{cy.id}"' in risk
    assert f'data-student="{ana.id}"' not in risk
    assert 'data-reasons="low_attendance below_pass_mark"' in risk and 'data-reasons="missing_grade"' in risk
    assert 'id="dist-chart"' in html and 'id="trend-chart"' in html and 'id="weekly-trends"' in html
    part = client.get("/educator/_overview").get_data(as_text=True)
    assert "<html" not in part and figure(part, "overall_average") == "75.83"


def test_filters_narrow_the_figures_and_are_kept_in_the_links(client):
    built = fx.build(client)
    educator = built["educator"]
    other = fx.section(client, educator, name="Physics", subjects=["mechanics"], term="2027-spring")
    sign_in(client, educator)
    html = client.get(f"/educator?section={built['section']['id']}&subject=geometry").get_data(as_text=True)
    assert figure(html, "overall_average") == "72.5" and figure(html, "subject:algebra") is None
    assert f'<option value="{built["section"]["id"]}" selected' in html and '<option value="geometry" selected' in html
    assert f'data-live-src="/educator/_overview?section={built["section"]["id"]}&amp;subject=geometry"' in html
    spring = client.get("/educator?term=2027-spring").get_data(as_text=True)
    assert figure(spring, "total_students") == "0" and figure(spring, f"section:{other['id']}") == ""
    assert client.get("/educator?section=abc").status_code == 400


def test_another_educators_section_is_404_and_other_roles_403(client, app):
    built = fx.build(client)
    stranger = factories.user("educator")
    sign_in(client, stranger)
    assert client.get(f"/educator?section={built['section']['id']}").status_code == 404
    assert client.get(f"/educator/_overview?section={built['section']['id']}").status_code == 404
    for role in ("student", "mentor", "admin"):
        other = app.test_client()
        sign_in(other, factories.user(role))
        assert other.get("/educator").status_code == 403, role
        assert other.get("/educator/_overview").status_code == 403, role


def test_anonymous_goes_to_login(client):
    response = client.get("/educator/_overview")
    assert response.status_code in (302, 401)


def test_csv_export_downloads_and_a_pdf_is_queued_with_a_preparing_status(client, app):
    built = fx.build(client)
    educator = built["educator"]
    sign_in(client, educator)
    csv = client.get(f"/educator/export.csv?scope=section:{built['section']['id']}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    body = csv.get_data(as_text=True)
    assert body.startswith("student_id,name,average") and "Ana" in body and "Ben" in body
    token = csrf_token(client, "/educator")
    queued = client.post("/educator/exports?scope=overview", headers={"X-CSRFToken": token, "HX-Request": "true"})
    html = queued.get_data(as_text=True)
    assert queued.status_code == 200 and 'data-status="pending"' in html and "Preparing the PDF" in html
    export_id = re.search(r'data-export-id="(\d+)"', html).group(1)
    assert client.get(f"/educator/exports/{export_id}/_status").status_code == 200
    stranger = app.test_client()
    sign_in(stranger, factories.user("educator"))
    assert stranger.get(f"/educator/exports/{export_id}/_status").status_code == 404
    assert stranger.get(f"/educator/export.csv?scope=section:{built['section']['id']}").status_code == 404
    assert stranger.get("/educator/export.csv?scope=bogus").status_code == 422
