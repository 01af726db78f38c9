"""Text that can be written: a lone UTF-16 surrogate (``"\\ud800"``, from a JSON escape or a
careless caller) is not Unicode text, cannot be encoded as UTF-8, and would crash the policy
fingerprint or an output file long after it was accepted. It is refused where text enters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["lone_surrogate", "shown_ids"]

#: Most ids a message suggests; a policy of 100,000 criteria must not make a message of megabytes.
MAX_SHOWN: Final = 20

_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> str | None:
    """A description of the first lone surrogate in ``text``, or ``None`` when there is none.

    >>> lone_surrogate("Tổng") is None
    True
    >>> lone_surrogate("ab\\ud800")
    'a lone surrogate U+D800 at character 3; expected Unicode text (UTF-8 encodable)'
    """
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"a lone surrogate U+{ord(found.group()):04X} at character {found.start() + 1};"
        " expected Unicode text (UTF-8 encodable)"
    )


def shown_ids(ids: Iterable[str]) -> str:
    """The ids a message suggests, at most :data:`MAX_SHOWN` of them, then how many more.

    >>> shown_ids(["a", "b"])
    "['a', 'b']"
    >>> shown_ids(f"c{i}" for i in range(25))[-33:]
    "'c17', 'c18', 'c19'] (and 5 more)"
    """
    listed = list(ids)
    if len(listed) <= MAX_SHOWN:
        return repr(listed)
    return f"{listed[:MAX_SHOWN]!r} (and {len(listed) - MAX_SHOWN} more)"
