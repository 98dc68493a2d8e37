"""The OpenAPI description as committed text: stable key order, so diffs show real changes."""

from __future__ import annotations

import json

from .api import api


def openapi_text() -> str:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
