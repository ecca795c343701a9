"""The OpenAPI spec changes only on purpose: a moved module or a refactor leaves it as it was.

After a deliberate change to the API, refresh the snapshot and review its diff:
`UPDATE_SPEC_SNAPSHOT=1 make test PYTEST_ARGS=tests/structure/test_spec_snapshot.py`.
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "openapi.json"


def test_the_spec_matches_its_snapshot(client):
    spec = json.dumps(client.get("/api/v1/openapi.json").get_json(), indent=1, sort_keys=True)
    if os.environ.get("UPDATE_SPEC_SNAPSHOT"):
        SNAPSHOT.write_text(spec)
    assert spec == SNAPSHOT.read_text(), "the API changed: refresh the snapshot if that was meant"
