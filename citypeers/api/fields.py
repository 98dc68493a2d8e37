"""Field types shared by the API's schemas: text limited to a list of values.

``choice(values)`` is a ``str`` that must be one of ``values`` (422 naming the field otherwise)
and that the OpenAPI description shows as an ``enum``; ``choice(values, blank=True)`` also takes
the empty string, for a filter left empty. Enumerated filters refuse an unknown value rather than
ignore it: a typo in ``status=publisehd`` should be an error, not an unfiltered list.
"""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, JsonValue


def one_of(values: Sequence[str]) -> Callable[[str], str]:
    """A validator that refuses any text not in ``values``, listing the ones it takes."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            shown = ", ".join(v for v in allowed if v) + (
                " " + _("or empty") if "" in allowed else ""
            )
            raise ValueError(_("use one of: %(values)s") % {"values": shown})
        return value

    return check


def choice(values: Sequence[str], *, blank: bool = False) -> Any:
    """``str`` limited to ``values`` (and ``""`` with ``blank``), an ``enum`` in the schema."""
    allowed = ["", *values] if blank else list(values)
    enum: list[JsonValue] = list(allowed)
    return Annotated[str, AfterValidator(one_of(allowed)), Field(json_schema_extra={"enum": enum})]
