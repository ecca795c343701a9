"""The overview page's weekly trends are merged from per-section parts cached under each
section's data version (services/performance/trends.py). After a write, the page's trends
(one part recomputed, the others from Redis) equal a from-scratch computation, the API's
GET /performance/trends, and the figures worked out by hand."""

from datetime import timedelta

from app.models import utcnow
from app.services.performance import board, reports, store
from app.services.performance import trends as weekly_trends
from app.services.shared import cache
from tests import educator_fixture as fx
from tests.helpers import auth_for, make_user


def monday(days_back):
    day = fx.days_ago(days_back)
    return (day - timedelta(days=day.weekday())).isoformat()


def page_weeks(educator, section_id=None):
    return board.view(educator, section_id=section_id)["trends"]


def api_weeks(client, educator, section_id=None):
    query = f"?section_id={section_id}" if section_id else ""
    res = client.get(f"/api/v1/performance/trends{query}", headers=auth_for(educator))
    assert res.status_code == 200, res.get_json()
    return res.get_json()["weeks"]


def part_key(section_id, today):
    version = store.data_versions([section_id]).get(section_id)
    return cache.performance_trend_part_key(section_id, version, 8, today)


def test_after_a_grade_change_the_cached_trends_equal_a_from_scratch_computation(client):
    built = fx.build(client)
    educator, (_ana, ben, cy) = built["educator"], built["students"]
    math, e1 = built["section"], built["exams"][0]
    other = fx.section(client, educator, name="Physics", subjects=["mechanics"])
    dee = make_user(name="Dee")
    fx.enrol(client, educator, other["id"], dee)
    mech = fx.exam(client, educator, other["id"], "mechanics", 10, 20)
    fx.grade(client, educator, mech["id"], [(dee.id, 7)])
    fx.attendance(client, educator, other["id"], 2, [(dee.id, "absent")])
    today = utcnow().date()

    first = page_weeks(educator)  # fills both sections' parts
    assert first == api_weeks(client, educator)
    physics_key = part_key(other["id"], today)
    assert cache.get_json(physics_key) is not None

    # Ben's algebra: 30/50 -> 50/50; the week of e1 is (90 + 100 + 80 + 70) / 4
    fx.grade(client, educator, e1["id"], [(ben.id, 50)])
    assert cache.get_json(part_key(math["id"], today)) is None  # a new version: recomputed on read
    after = page_weeks(educator)
    scratch = reports.trends(educator)["weeks"]
    assert after == scratch == api_weeks(client, educator)
    by_week = {w["week_start"]: w for w in after}
    assert (by_week[monday(20)]["average"], by_week[monday(20)]["grades"]) == (85.0, 4)
    assert (by_week[monday(10)]["average"], by_week[monday(10)]["grades"]) == (72.5, 2)
    assert cache.get_json(physics_key) is not None  # the other section's part was read, not rebuilt

    # the same for one section, and for an attendance change
    fx.attendance(client, educator, math["id"], 1, [(cy.id, "absent")])
    for section_id in (math["id"], other["id"], None):
        assert page_weeks(educator, section_id) == reports.trends(educator, section_id)["weeks"]
        assert page_weeks(educator, section_id) == api_weeks(client, educator, section_id)
    # whatever the cache holds, it equals the parts computed again from the tables
    starts = weekly_trends.week_starts(today, 8)
    fresh = weekly_trends.parts([math["id"], other["id"]], starts, today)
    for section_id in (math["id"], other["id"]):
        assert cache.get_json(part_key(section_id, today)) == fresh[section_id]


def test_parts_merge_to_the_mean_of_all_the_grades():
    """merge() of several parts is the mean of every percentage of those weeks (not a mean of means)."""
    starts = weekly_trends.week_starts(fx.days_ago(0), 2)
    parts = {1: [[90.0 + 60.0, 2, 3, 4], [0.0, 0, 0, 0]], 2: [[30.0, 1, 1, 4], [0.0, 0, 0, 0]]}
    weeks = weekly_trends.merge(parts, starts)
    assert weeks[0] == {
        "week_start": starts[0].isoformat(),
        "average": 60.0,
        "grades": 3,
        "attendance_percentage": 50.0,
    }
    assert weeks[1]["average"] is None and weeks[1]["attendance_percentage"] is None
