"""Files shipped inside a kpiscore package (bundled policies, payout tables), found by id."""

from __future__ import annotations

from importlib import resources

from kpiscore.exceptions import UnknownPolicyError

__all__ = ["SUFFIX", "bundled_ids", "bundled_text", "known_id"]

SUFFIX = ".toml"


def bundled_ids(package: str) -> tuple[str, ...]:
    """The ids of the ``.toml`` files in ``package``, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(SUFFIX)
            for entry in resources.files(package).iterdir()
            if entry.name.endswith(SUFFIX) and entry.is_file()
        )
    )


def known_id(item_id: object, what: str, ids: tuple[str, ...]) -> str:
    """``item_id`` when it is one of ``ids``.

    Raises:
        UnknownPolicyError: it is not; the message names ``what`` it is and lists the ids.
    """
    if not isinstance(item_id, str) or item_id not in ids:
        raise UnknownPolicyError(f"no bundled {what} {item_id!r}; expected one of {list(ids)!r}")
    return item_id


def bundled_text(package: str, item_id: str) -> str:
    """The text of the bundled file with this (known) id, comments included."""
    return resources.files(package).joinpath(item_id + SUFFIX).read_text(encoding="utf-8")
