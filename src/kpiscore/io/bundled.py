"""Files shipped inside a kpiscore package (bundled policies, payout tables), found by id.

A package of bundled files makes one :class:`BundledFiles` and offers its ``available`` and
``source`` as its own (``kpiscore.policies.available()``, ``kpiscore.payout.source(…)``).
"""

from __future__ import annotations

import functools
from importlib import resources

import attrs

from kpiscore.exceptions import UnknownPolicyError

__all__ = ["SUFFIX", "BundledFiles"]

SUFFIX = ".toml"


@attrs.frozen
class BundledFiles:
    """The ``.toml`` files of one package, each known by its id (the file name without suffix).

    Attributes:
        package: The package holding the files (``"kpiscore.policies"``).
        what: What one file is, for messages (``"policy"``, ``"payout table"``).

    >>> files = BundledFiles("kpiscore.policies", "policy")
    >>> files.available()[:2]
    ('hcm-qd20-2024', 'university-kpi-example')
    >>> files.source("hcm-qd20-2024").startswith("#")
    True
    >>> files.known("hcm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.UnknownPolicyError: no bundled policy 'hcm'; expected one of [...]
    """

    package: str
    what: str

    def available(self) -> tuple[str, ...]:
        """The ids of the bundled files, sorted (read once per package)."""
        return _ids(self.package)

    def known(self, item_id: object) -> str:
        """``item_id`` when a bundled file has that id.

        Raises:
            UnknownPolicyError: none has; the message names :attr:`what` and lists the ids.
        """
        ids = self.available()
        if not isinstance(item_id, str) or item_id not in ids:
            raise UnknownPolicyError(
                f"no bundled {self.what} {item_id!r}; expected one of {list(ids)!r}"
            )
        return item_id

    def source(self, item_id: str) -> str:
        """The text of the bundled file with this id, comments included: a starting point for
        your own.

        Raises:
            UnknownPolicyError: no bundled file has that id; the message lists the ones there are.
        """
        name = self.known(item_id) + SUFFIX
        return resources.files(self.package).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _ids(package: str) -> tuple[str, ...]:
    return tuple(
        sorted(
            entry.name.removesuffix(SUFFIX)
            for entry in resources.files(package).iterdir()
            if entry.name.endswith(SUFFIX) and entry.is_file()
        )
    )
