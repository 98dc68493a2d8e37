"""Two request or response schemas of the API with the same name collide in the OpenAPI
description (one replaces the other under ``components/schemas``), so clients and the fuzzer
read a wrong shape: a partnership's status change was described with a practice's fields, a
practice's city with an event's. Every schema name must stand for one shape."""

from __future__ import annotations

import inspect
import sys
from collections import defaultdict

from ninja import Schema

import citypeers.api.api  # noqa: F401 - loads every router and its schemas

#: Known collisions still to resolve, by name: (module, reason). Each is a bug to fix.
KNOWN = {
    "OrganisationRefOut": (
        "citypeers.matching.requests_api",
        "matching (in progress) adds `country`; rename it, e.g. MatchOrganisationOut",
    ),
}


def test_every_schema_name_is_one_shape():
    shapes: dict[str, dict[str, type]] = defaultdict(dict)
    for name, module in list(sys.modules.items()):
        if not name.startswith("citypeers."):
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == name:
                shapes[obj.__name__][name] = obj
    clashes = {}
    for schema_name, defined in shapes.items():
        known = KNOWN.get(schema_name, ("", ""))[0]
        distinct = {
            str(sorted(cls.model_json_schema().get("properties", {}).items()))
            for module, cls in defined.items()
            if module != known
        }
        if len(distinct) > 1:
            clashes[schema_name] = sorted(defined)
    assert clashes == {}
