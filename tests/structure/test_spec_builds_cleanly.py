"""The spec builds without a warning (two schemas with one name made apispec rename one
`Enrolment1` and warn at every start), and says how to authenticate."""

import warnings


def test_the_spec_builds_without_warnings(app):
    from app import create_app

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = create_app("testing")
        spec = built.test_client().get("/api/v1/openapi.json").get_json()
    ours = [str(w.message) for w in caught if "apispec" in w.filename or "smorest" in w.filename]
    assert ours == []
    schemas = spec["components"]["schemas"]
    assert not [name for name in schemas if name[-1].isdigit()], "a schema name was made unique by apispec"
    assert {"Enrolment", "SectionEnrolment"} <= set(schemas)


def test_the_spec_says_how_to_authenticate(client):
    info = client.get("/api/v1/openapi.json").get_json()["info"]
    assert "POST /api/v1/auth/login" in info["description"] and "Authorize" in info["description"]
