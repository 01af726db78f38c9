"""Leaders scored after the people they manage: the order along ``manager``, and the (d) events.

Decree 335/2025/ND-CP Art. 15, component (d): a leader's "results of the unit in charge" is
50 % when any civil servant they manage is rated "not completed", 100 % otherwise. So within a
sub-period the people with no reports are scored first, then their managers, whose (d) events
are derived from their direct reports' final ratings of that sub-period (caps included, before
any yearly quota), then the next level up.

>>> from kpiscore import Person
>>> from kpiscore.cycle.evaluation_people import Member
>>> people = [Member(person=Person(id="gd"), manager=None),
...           Member(person=Person(id="tp1"), manager="gd"),
...           Member(person=Person(id="nv1"), manager="tp1")]
>>> levels(people)
(('nv1',), ('tp1',), ('gd',))
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import attrs

from kpiscore.cycle.evaluation_people import Member
from kpiscore.exceptions import InputError
from kpiscore.model.facts import Event
from kpiscore.model.period import Period
from kpiscore.results.scorecard import Scorecard

__all__ = ["LeaderRule", "derived_events", "levels"]

REFERENCE: Final = (
    "Decree 335/2025/ND-CP Art. 15 (d): 50 % when a civil servant managed is rated below"
    " 'completed'"
)


@attrs.frozen(kw_only=True)
class LeaderRule:
    """The ``[leaders]`` table: the event kind a manager is given for each direct report rated
    below ``at_least`` in a sub-period.

    >>> LeaderRule().event, LeaderRule().at_least
    ('subordinate_not_completed', 'HT')
    """

    event: str = "subordinate_not_completed"
    at_least: str = "HT"

    def __attrs_post_init__(self) -> None:
        for field in ("event", "at_least"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"leaders: {field} must be non-empty text (got {value!r})")


def levels(members: Sequence[Member]) -> tuple[tuple[str, ...], ...]:
    """The people by level, bottom-up: first those who manage nobody, then those whose reports
    are all in earlier levels, and so on; each level in population order.

    Raises:
        InputError: a cycle in ``manager`` (naming the people in it, in order).
    """
    manager = {member.id: member.manager for member in members}
    children: dict[str, list[str]] = {}
    for person, boss in manager.items():
        if boss is not None:
            children.setdefault(boss, []).append(person)
    # Bottom-up, without recursion (a chain of thousands must not hit the recursion limit):
    # a person's level is known once all their reports' levels are.
    waiting = {person: len(children.get(person, ())) for person in manager}
    height = dict.fromkeys(manager, 0)
    ready = [person for person, count in waiting.items() if count == 0]
    done: set[str] = set()
    while ready:
        person = ready.pop()
        done.add(person)
        boss = manager[person]
        if boss is None or boss not in waiting:
            continue
        height[boss] = max(height[boss], height[person] + 1)
        waiting[boss] -= 1
        if waiting[boss] == 0:
            ready.append(boss)
    if len(done) != len(manager):
        raise InputError(
            "people: a cycle in manager: "
            + " → ".join(f"{person!r}" for person in _cycle(manager, done))
            + "; expected a tree (each person's managers ending at someone with none)"
        )
    top = max(height.values(), default=-1)
    by_level: list[list[str]] = [[] for _ in range(top + 1)]
    for member in members:
        by_level[height[member.id]].append(member.id)
    return tuple(tuple(level) for level in by_level)


def _cycle(manager: dict[str, str | None], done: set[str]) -> list[str]:
    """A cycle among the people not placed, in order, its first person repeated at the end."""
    start = next(person for person in manager if person not in done)
    seen: list[str] = []
    current: str | None = start
    while current is not None and current not in seen:
        seen.append(current)
        current = manager.get(current)
    if current is None:  # pragma: no cover - an unplaced person's managers always loop
        return seen
    circle = seen[seen.index(current) :]
    first = circle.index(min(circle))  # start at the smallest id, whatever the file order
    circle = circle[first:] + circle[:first]
    return [*circle, circle[0]]


def _below(rating: str | None, at_least: str, order: Sequence[str], card: Scorecard) -> bool:
    if rating is None:
        raise InputError(
            f"leaders: {card.subject!r} has no rating for {card.period.label} (policy"
            f" {card.policy_id!r} has no bands); a manager's (d) needs their reports' ratings"
        )
    if at_least not in order:
        raise InputError(
            f"leaders: at_least {at_least!r} is not a band of policy {card.policy_id!r}"
            f" (bands {list(order)!r})"
        )
    return order.index(rating) > order.index(at_least)


def derived_events(
    managers: Iterable[Member],
    reports: Mapping[str, Sequence[Member]],
    cards: Mapping[str, Scorecard],
    period: Period,
    rule: LeaderRule,
) -> tuple[Event, ...]:
    """The (d) events of ``managers`` for ``period``: one per direct report scored in the
    period and rated below ``rule.at_least``, dated the period's last day, its ``ref`` naming
    the report and its ``note`` the report's rating (shown in the manager's ledger).

    Args:
        managers: The people whose events are derived.
        reports: Each person's direct reports.
        cards: The scorecards of the period so far, by subject (reports not scored in the
            period, on leave, are not counted).
        period: The sub-period.
        rule: The ``[leaders]`` rule.
    """
    events: list[Event] = []
    last_day: _dt.date = period.end
    for manager in managers:
        for report in reports.get(manager.id, ()):
            card = cards.get(report.id)
            if card is None:
                continue
            order = [b.id for b in sorted(card.bands, key=lambda b: b.min_points, reverse=True)]
            if not _below(card.rating, rule.at_least, order, card):
                continue
            name = f" ({card.person.name})" if card.person.name else ""
            events.append(
                Event(
                    subject=manager.id,
                    kind=rule.event,
                    on=last_day,
                    ref=f"{report.id}@{period.label}",
                    note=(
                        f"cấp dưới trực tiếp {report.id}{name} xếp loại {card.rating}"
                        f" (tổng {card.total}) kỳ {period.label}, dưới {rule.at_least}"
                        f" — direct report {report.id} rated {card.rating}, below"
                        f" {rule.at_least} [{REFERENCE}]"
                    ),
                )
            )
    return tuple(events)
