"""Finding one item of a result or a policy by its id: the item, or an :class:`InputError`
naming where it was looked for, what, the id asked for and the ids there are."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from kpiscore.exceptions import InputError

__all__ = ["by_id", "criterion_by_id", "item_id"]

T = TypeVar("T")
C_co = TypeVar("C_co", covariant=True)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def item_id(item: _HasId) -> str:
    """An item's ``id``: the usual ``ident`` of :func:`by_id`."""
    return item.id


class _HasCriteria(Protocol[C_co]):
    @property
    def criteria(self) -> Sequence[C_co]: ...


def by_id(
    items: Iterable[T],
    wanted: object,
    ident: Callable[[T], str],
    *,
    where: str,
    what: str,
    shown: Callable[[list[str]], str] = repr,
) -> T:
    """The first of ``items`` whose ``ident`` is ``wanted``.

    Args:
        items: Where to look, in order.
        wanted: The id asked for.
        ident: An item's id.
        where: The owner, as a message starts (``"policy 'p'"``).
        what: What is looked for (``"band"``).
        shown: How the message lists the ids there are (by default the whole list).

    Raises:
        InputError: no item has that id: ``<where>: no <what> <wanted>; expected one of [...]``.

    >>> by_id(["a", "b"], "b", str.upper, where="x", what="letter")
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.InputError: x: no letter 'b'; expected one of ['A', 'B']
    >>> by_id(["a", "b"], "B", str.upper, where="x", what="letter")
    'b'
    """
    listed = tuple(items)
    for item in listed:
        if ident(item) == wanted:
            return item
    known = [ident(item) for item in listed]
    raise InputError(f"{where}: no {what} {wanted!r}; expected one of {shown(known)}")


def criterion_by_id(
    categories: Iterable[_HasCriteria[T]],
    criterion_id: str,
    ident: Callable[[T], str],
    *,
    where: str,
    shown: Callable[[list[str]], str] = repr,
) -> T:
    """The criterion (or a criterion's result) with ``criterion_id``, whichever of
    ``categories`` holds it: :func:`by_id` over every category's ``criteria`` in order.

    Raises:
        InputError: no category has that criterion.
    """
    return by_id(
        (criterion for category in categories for criterion in category.criteria),
        criterion_id,
        ident,
        where=where,
        what="criterion",
        shown=shown,
    )
