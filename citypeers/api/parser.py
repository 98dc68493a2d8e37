"""The API's request parser: JSON bodies and query strings, refusing the NUL character.

PostgreSQL cannot store U+0000 in text, and its driver refuses such a parameter outright, so a
NUL anywhere in a request would end as a 500 there (and be stored as it is on SQLite). The parser
refuses it before any endpoint runs, with a 400 naming the field, the same on both databases.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from citypeers.core.errors import ApplicationError


def refuse_nul(value: Any, where: str = "") -> None:
    """Raise an :class:`ApplicationError` naming the first field whose text holds a NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ApplicationError(
                _("Text may not contain the NUL character (U+0000)."), field=where or "body"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            refuse_nul(key, name)
            refuse_nul(item, name)
    elif isinstance(value, list):
        for item in value:
            refuse_nul(item, where)


class TextParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        refuse_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        refuse_nul(result)
        return result
