"""The committed OpenAPI snapshot matches what the code serves (``make openapi`` refreshes it)."""

import json
from pathlib import Path

from citypeers.api.openapi import openapi_text

SNAPSHOT = Path(__file__).resolve().parents[1] / "citypeers" / "api" / "openapi.json"


def test_openapi_matches_the_committed_snapshot(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert json.loads(openapi_text()) == served.json()
    assert openapi_text() == SNAPSHOT.read_text(encoding="utf-8"), (
        "The API changed: review it, then run 'make openapi' and commit citypeers/api/openapi.json"
    )
