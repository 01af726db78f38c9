"""Checks that keep facts from being silently ignored: unknown event kinds and duplicate events.

Every entry point (``score``, ``score_many``, ``score_frame``, the command line, case files,
the evaluation, the service) runs the same checks, each naming the fact its own way (a file
line, a frame row label, a list position); this module holds what they share: which kinds a
policy knows, the nearest known kinds for a misspelt one, and what makes two events the same.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Final, Literal

from kpiscore.exceptions import (
    DuplicateEventError,
    InputError,
    InputErrorGroup,
    UnknownKindError,
)
from kpiscore.model.facts import Event
from kpiscore.model.numbers import canonical, exact
from kpiscore.model.rules import MAX_LISTED

__all__ = [
    "DUPLICATES",
    "UNKNOWN_KINDS",
    "Duplicates",
    "Problems",
    "UnknownKinds",
    "check_events",
    "check_options",
    "duplicate_events",
    "duplicate_message",
    "nearest_kinds",
    "ratio_too_large",
    "repeat_message",
    "unknown_kind_message",
]

#: What an event kind no rule, cap or ``other_kinds`` of the policy names means.
UnknownKinds = Literal["error", "ignore"]
#: What two events with the same subject and ``ref`` (or two identical events) mean.
Duplicates = Literal["error", "allow"]
UNKNOWN_KINDS: Final = ("error", "ignore")
DUPLICATES: Final = ("error", "allow")

# A suggestion is searched among a bounded number of known kinds, and compares a bounded
# prefix of the kind received, so one message costs the same with any policy or any input.
_MAX_CANDIDATES: Final = 500
_MAX_KIND: Final = 100
_SUGGESTED: Final = 3


def check_options(unknown_kinds: object, duplicates: object, where: str) -> None:
    """Raise :class:`InputError` unless both options are among their choices."""
    if unknown_kinds not in UNKNOWN_KINDS:
        raise InputError(
            f"{where}: unknown_kinds must be one of {list(UNKNOWN_KINDS)!r} (got {unknown_kinds!r})"
        )
    if duplicates not in DUPLICATES:
        raise InputError(
            f"{where}: duplicates must be one of {list(DUPLICATES)!r} (got {duplicates!r})"
        )


def nearest_kinds(kind: str, known: Iterable[str]) -> list[str]:
    """The known kinds most like ``kind`` (at most three, nearest first).

    A kind that differs only in case or surrounding spaces comes first.

    >>> nearest_kinds("training_absense", ["late_report", "training_absence"])
    ['training_absence']
    >>> nearest_kinds("Training_Absence", ["training_absence", "late_report"])
    ['training_absence']
    """
    ordered = sorted(known)
    folded = kind.strip().casefold()
    same = [k for k in ordered if k.casefold() == folded]
    if same:
        return same[:_SUGGESTED]
    first = folded[:1]
    candidates = [k for k in ordered if k[:1].casefold() == first][:_MAX_CANDIDATES]
    if len(candidates) < _MAX_CANDIDATES:
        taken = set(candidates)
        candidates += [k for k in ordered if k not in taken][: _MAX_CANDIDATES - len(candidates)]
    by_fold = {k.casefold(): k for k in candidates}
    close = difflib.get_close_matches(folded[:_MAX_KIND], list(by_fold), n=_SUGGESTED, cutoff=0.6)
    return [by_fold[k] for k in close]


def unknown_kind_message(kind: str, policy_ids: Sequence[str], known: Iterable[str]) -> str:
    """The message for an event kind no policy of ``policy_ids`` knows (without its place).

    >>> print(unknown_kind_message("training_absense", ["p"], ["training_absence"]))
    event kind 'training_absense' is not known to policy 'p'; did you mean 'training_absence'? \
(known kinds are those of its rules and caps and its other_kinds; unknown_kinds="ignore" \
leaves such events out)
    """
    ids = list(dict.fromkeys(policy_ids))  # a base and its overlay share an id: name it once
    policies = " or ".join(repr(p) for p in ids)
    noun = "policy" if len(ids) == 1 else "policies"
    shown = kind if len(kind) <= _MAX_KIND else kind[:_MAX_KIND] + "…"
    message = f"event kind {shown!r} is not known to {noun} {policies}"
    nearest = nearest_kinds(kind, known)
    if nearest:
        message += "; did you mean " + " or ".join(repr(k) for k in nearest) + "?"
    return message + (
        " (known kinds are those of its rules and caps and its other_kinds;"
        ' unknown_kinds="ignore" leaves such events out)'
    )


def _key(event: Event) -> tuple[object, ...]:
    if event.ref is not None:
        return (event.subject, event.ref)
    return (event.subject, event.kind, event.on, event.quantity, event.excused, event.note)


def duplicate_events(
    events: Sequence[Event], *, identical: bool = True
) -> Iterator[tuple[int, int]]:
    """``(position, first position)`` of each event that repeats an earlier one.

    Two events are the same when they name the same subject and ``ref``, or (with
    ``identical``, as for the rows of a file) without a ``ref``, when every field is equal: a
    row typed or exported twice.

    >>> from datetime import date
    >>> late = Event(subject="a", kind="late", on=date(2026, 1, 5), ref="r1")
    >>> list(duplicate_events([late, late]))
    [(1, 0)]
    """
    seen: dict[tuple[object, ...], int] = {}
    for position, event in enumerate(events):
        if event.ref is None and not identical:
            continue
        key = _key(event)
        first = seen.setdefault(key, position)
        if first != position:
            yield position, first


def duplicate_message(event: Event, first: str) -> str:
    """The message for an event that repeats one at ``first`` (without its own place)."""
    return repeat_message(event.kind, event.subject, event.on.isoformat(), event.ref, first)


def repeat_message(kind: str, subject: str, day: str, ref: str | None, first: str) -> str:
    """:func:`duplicate_message` from the event's fields (for the columnar engine)."""
    same = f"ref {ref!r}" if ref is not None else "every field"
    return (
        f"event {kind!r} of subject {subject!r} on {day} repeats the event at {first}"
        f" (same subject and {same}); expected each event once"
        ' (duplicates="allow" counts both)'
    )


class Problems:
    """Problems of one call, raised together: the first
    :data:`~kpiscore.model.rules.MAX_LISTED` kept, the others counted.

    >>> problems = Problems()
    >>> problems.add(InputError("a"))
    >>> problems.add(InputError("b"))
    >>> try:
    ...     problems.raise_all("score_many")
    ... except InputError as error:
    ...     print(error)
    score_many: 2 problems
      - a
      - b
    """

    def __init__(self) -> None:
        self.listed: list[InputError] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, error: InputError) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(error)

    def raise_all(self, what: str) -> None:
        """Raise the problem itself when alone, an :class:`InputErrorGroup` when several."""
        if not self.count:
            return
        if self.count == 1:
            raise self.listed[0]
        message = f"{what}: {self.count} problems"
        if self.count > len(self.listed):
            more = self.count - len(self.listed)
            message += f" (the first {len(self.listed)} listed, … and {more} more)"
        raise InputErrorGroup(message, self.listed)


def check_events(
    events: Sequence[Event],
    known: frozenset[str] | None,
    policy_ids: Sequence[str],
    place: Callable[[int], str],
    problems: Problems,
    *,
    duplicates: Duplicates,
    identical: bool = False,
) -> None:
    """Add a problem for each unknown kind (once per kind, at its first event, with how many
    events have it) and, unless ``duplicates="allow"``, for each repeated event.

    ``known`` is ``None`` when unknown kinds are ignored; ``place(position)`` names an event.
    ``identical`` also counts identical events without a ``ref`` as repeats (the rows of a
    file); events built in Python and frame rows repeat only by subject and ``ref``.
    """
    if known is not None:
        unknown: dict[str, list[int]] = {}
        for position, event in enumerate(events):
            if event.kind not in known:
                unknown.setdefault(event.kind, []).append(position)
        for kind, positions in unknown.items():
            others = len(positions) - 1
            more = f" (and {others} more event{'s' if others > 1 else ''})" if others else ""
            problems.add(
                UnknownKindError(
                    f"{place(positions[0])}{more}: " + unknown_kind_message(kind, policy_ids, known)
                )
            )
    if duplicates == "allow":
        return
    for position, first in duplicate_events(events, identical=identical):
        problems.add(
            DuplicateEventError(
                f"{place(position)}: {duplicate_message(events[position], place(first))}"
            )
        )


def ratio_too_large(value: Decimal, max_ratio: Decimal) -> str:
    """The message for a ratio measure above the policy's ``max_ratio`` (a percentage typed
    as a number, most likely).

    >>> print(ratio_too_large(Decimal(90), Decimal(2)))
    value 90 is above the policy's max_ratio 2 (200 %); did you mean 0.9 (90 %)?
    """
    with exact():
        hint = value.scaleb(-2)
        limit = max_ratio.scaleb(2)
    return (
        f"value {canonical(value)} is above the policy's max_ratio {canonical(max_ratio)}"
        f" ({canonical(limit)} %); did you mean {canonical(hint)} ({canonical(value)} %)?"
    )
