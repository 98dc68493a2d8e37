"""The API's request parser: JSON bodies and query strings, refusing control characters.

PostgreSQL cannot store U+0000 in text, and its driver refuses such a parameter outright, so a
NUL anywhere in a request would end as a 500 there (and be stored as it is on SQLite). The other
C0 control characters (but tab, line feed and carriage return) and unpaired UTF-16 surrogates
(which JSON can spell as ``\\ud800``) have no place in a name or a text either: they break XML
exports and feeds and hide text from readers. The parser refuses them before any endpoint runs,
with a 400 naming the field, the same on both databases.
"""

import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from citypeers.core.errors import ApplicationError

#: What no text sent to the API may hold.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def refuse_control_characters(value: Any, where: str = "") -> None:
    """Raise an :class:`ApplicationError` naming the first field whose text holds a character
    of :data:`FORBIDDEN` (NUL, other control characters, unpaired surrogates)."""
    if isinstance(value, str):
        found = FORBIDDEN.search(value)
        if found:
            if found.group() == "\x00":
                message = _("Text may not contain the NUL character (U+0000).")
            else:
                message = _(
                    "Text may not contain control characters other than tab and line breaks "
                    "(found U+%(code)04X)."
                ) % {"code": ord(found.group())}
            raise ApplicationError(message, field=where or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            refuse_control_characters(key, name)
            refuse_control_characters(item, name)
    elif isinstance(value, list):
        for item in value:
            refuse_control_characters(item, where)


class TextParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        refuse_control_characters(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        refuse_control_characters(result)
        return result
