"""One definition per figure: a student at the edges reads the same in every view.

Nia is in two sections: 50% in Math (below the pass mark of 60) and 70% in Art (above),
so her average over both is exactly 60.0, the pass mark: she passes. Omar is in Math only
at exactly 60%. The overview, the sections, the student's page, the summary the mentor's
insights show and the CSV must all say so (the overview used to union the per-section
reasons and list Nia as below the pass mark while its pass rate counted her as passing).
"""

import csv
import io

from app.models import utcnow
from app.services.performance import recompute, summaries
from tests.educator_fixture import enrol, exam, grade, section
from tests.helpers import auth_for, make_user


def get(client, user, path):
    res = client.get(f"/api/v1{path}", headers=auth_for(user))
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def csv_rows(client, user, scope):
    res = client.get(f"/api/v1/performance/export?format=csv&scope={scope}", headers=auth_for(user))
    assert res.status_code == 200
    return {int(r["student_id"]): r for r in csv.DictReader(io.StringIO(res.get_data(as_text=True)))}


def build_edges(client):
    educator = make_user("educator")
    nia, omar = make_user(name="Nia"), make_user(name="Omar")
    math = section(client, educator, name="Math", subjects=["algebra"])
    art = section(client, educator, name="Art", subjects=["drawing"])
    for s in (nia, omar):
        enrol(client, educator, math["id"], s)
    enrol(client, educator, art["id"], nia)
    quiz = exam(client, educator, math["id"], "algebra", 100, 5)
    sketch = exam(client, educator, art["id"], "drawing", 100, 4)
    grade(client, educator, quiz["id"], [(nia.id, 50), (omar.id, 60)])
    grade(client, educator, sketch["id"], [(nia.id, 70)])
    now = utcnow()
    for s in (math, art):
        recompute.recompute_section(s["id"], now=now, summaries_now=True)
    return educator, nia, omar, math, art


def test_a_student_at_the_edges_reads_the_same_everywhere(client):
    educator, nia, omar, math, art = build_edges(client)

    overview = get(client, educator, "/performance/overview")
    assert overview["pass_rate"] == 100.0 and overview["overall_average"] == 60.0
    assert overview["at_risk_count"] == 0  # both pass overall: nobody below the pass mark

    # each section's own figures: Nia is below the pass mark in Math only, and Math says so twice
    math_view = get(client, educator, f"/performance/sections/{math['id']}")
    rows = {r["student_id"]: r for r in math_view["students"]}
    assert rows[nia.id]["at_risk_reasons"] == ["below_pass_mark"] and rows[omar.id]["at_risk_reasons"] == []
    assert math_view["section"]["pass_rate"] == 50.0 and math_view["section"]["at_risk_count"] == 1
    art_view = get(client, educator, f"/performance/sections/{art['id']}")
    assert art_view["section"]["pass_rate"] == 100.0 and art_view["section"]["at_risk_count"] == 0
    listed = {i["section_id"]: i for i in get(client, educator, "/performance/sections")["items"]}
    assert listed[math["id"]]["at_risk_count"] == 1 and listed[art["id"]]["at_risk_count"] == 0

    # the student's page, the summary in the mentor's insights and the overview's CSV: passing
    page = get(client, educator, f"/performance/students/{nia.id}")
    assert page["average"] == 60.0 and page["at_risk_reasons"] == []
    assert summaries.summary_for(nia.id)["at_risk_reasons"] == []
    assert summaries.summary_for(nia.id)["average"] == 60.0
    assert summaries.summary_for(omar.id)["at_risk_reasons"] == []
    whole = csv_rows(client, educator, "overview")
    assert whole[nia.id]["at_risk"] == "" and whole[nia.id]["average"] == "60.0"
    assert whole[omar.id]["at_risk"] == ""
    # the section's CSV agrees with the section's view
    assert csv_rows(client, educator, f"section:{math['id']}")[nia.id]["at_risk"] == "below_pass_mark"


def test_a_merged_student_below_the_mark_is_below_it_in_every_overview_view(client, app):
    app.config["PASS_MARK"] = 60.01  # now Nia's 60.0 overall is below it, everywhere at once
    try:
        educator, nia, omar, math, art = build_edges(client)
        overview = get(client, educator, "/performance/overview")
        assert overview["pass_rate"] == 0.0 and overview["at_risk_count"] == 2
        assert get(client, educator, f"/performance/students/{nia.id}")["at_risk_reasons"] == ["below_pass_mark"]
        assert summaries.summary_for(nia.id)["at_risk_reasons"] == ["below_pass_mark"]
        assert csv_rows(client, educator, "overview")[nia.id]["at_risk"] == "below_pass_mark"
    finally:
        app.config["PASS_MARK"] = 60.0


def test_the_at_risk_thresholds_come_from_the_settings(client, app):
    """Ben (tests/educator_fixture.py) attended 0 of 2 days; Ana's trend is -25 (below)."""
    from app.services.performance import figures
    from tests.educator_fixture import build

    assert figures.limits() == (60.0, 75.0, 30, -10.0)  # the shipped settings
    f = build(client)
    educator, section_id = f["educator"], f["section"]["id"]
    ana, ben, _ = f["students"]
    for days_back, pct in ((9, 100), (8, 70), (7, 70), (6, 70)):
        e = exam(client, educator, section_id, "algebra", 100, days_back)
        grade(client, educator, e["id"], [(ana.id, pct)])

    def reasons(who):
        recompute.recompute_section(section_id, now=utcnow(), summaries_now=True)
        rows = get(client, educator, f"/performance/sections/{section_id}")["students"]
        return next(r["at_risk_reasons"] for r in rows if r["student_id"] == who.id)

    assert "low_attendance" in reasons(ben) and "falling_trend" in reasons(ana)
    saved = {k: app.config[k] for k in ("AT_RISK_ATTENDANCE", "AT_RISK_TREND_DROP", "AT_RISK_WINDOW_DAYS")}
    try:
        # no attendance counted in a 1-day window (Ben's days are 1 to 3 days ago); a drop of
        # 30 points needed
        app.config.update(AT_RISK_ATTENDANCE=0.0, AT_RISK_TREND_DROP=-30.0, AT_RISK_WINDOW_DAYS=1)
        assert "low_attendance" not in reasons(ben) and "falling_trend" not in reasons(ana)
        assert get(client, educator, f"/performance/students/{ana.id}")["at_risk_reasons"] == []
    finally:
        app.config.update(saved)
