"""The ``[quota]`` and ``[payout]`` rules of an evaluation, and small helpers of its run."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Protocol

import attrs

from kpiscore.cycle.evaluation_people import Member
from kpiscore.engine.ledger import cap_line
from kpiscore.exceptions import InputError
from kpiscore.model.facts import Event
from kpiscore.model.numbers import NumberLike, to_decimal
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import CapLine

if TYPE_CHECKING:
    from kpiscore.cycle.payout import PayoutTable, Salary
    from kpiscore.cycle.quota import BaseReading

__all__ = ["NOT_WORKED", "PayoutRule", "QuotaRule", "cap_lines", "event_kinds", "quota_grouper"]


def _share(value: NumberLike) -> Decimal:
    return to_decimal(value, owner="quota", field="share")


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _salaries(value: Mapping[str, Salary | NumberLike]) -> tuple[tuple[str, Salary], ...]:
    from kpiscore.cycle.payout import Salary

    if not isinstance(value, Mapping):
        raise InputError(f"payout: salaries must be a mapping of subject to salary (got {value!r})")
    salaries: dict[str, Salary] = {}
    for subject, salary in value.items():
        if isinstance(salary, Salary):
            salaries[subject] = salary
        else:
            amount = to_decimal(salary, owner=f"salaries[{subject!r}]", field="salary")
            salaries[subject] = Salary(amount=amount)
    return tuple(sorted(salaries.items()))


@attrs.frozen(kw_only=True)
class QuotaRule:
    """The ``[quota]`` table: :func:`kpiscore.quota.apply_quota`'s arguments, applied to the
    year. ``group_by`` names may be any attribute of the people file (``unit``, ``group``, or
    an extra column)."""

    rating: str = "HTXS"
    share: Decimal = attrs.field(default=Decimal("0.20"), converter=_share)
    base: BaseReading = "fixed_point"
    group_by: tuple[str, ...] = attrs.field(default=(), converter=_names)
    rounding: str = "ROUND_DOWN"
    ties: str = "demote_all"
    reference: str | None = None


@attrs.frozen(kw_only=True)
class PayoutRule:
    """The ``[payout]`` table: the payout table and everyone's monthly salary."""

    table: PayoutTable
    salaries: tuple[tuple[str, Salary], ...] = attrs.field(converter=_salaries)


#: The notice given when a person has no scored sub-period at all.
NOT_WORKED: Final = "not scored: on leave for every sub-period"


class _Subject(Protocol):
    """A result a quota groups: a scorecard or a roll-up."""

    @property
    def subject(self) -> str: ...  # pragma: no cover - a protocol


def quota_grouper(
    rule: QuotaRule, members: Mapping[str, Member]
) -> str | tuple[str, ...] | Callable[[_Subject], Hashable] | None:
    """``group_by`` for :func:`~kpiscore.quota.apply_quota`: the names as given when they are
    the people's fields or :attr:`~kpiscore.Person.attributes`, else a function reading the
    members' (``manager``, attributes given on a :class:`Member` only)."""
    names = rule.group_by
    if not names:
        return None
    if "manager" not in names and all(
        member.attributes == member.person.attributes for member in members.values()
    ):  # the people's own fields and attributes: the quota reads them (and labels by name)
        return names if len(names) > 1 else names[0]

    def key(result: _Subject) -> Hashable:
        member = members[result.subject]
        values = tuple(member.attribute(name) for name in names)
        for name, value in zip(names, values, strict=True):
            if value is None:
                raise InputError(
                    f"quota: {result.subject!r} has no {name!r}; expected every person to"
                    " have the attributes the quota groups by"
                )
        return values

    return key


def cap_lines(policy: Policy, events: Sequence[Event]) -> tuple[CapLine, ...]:
    """The cap lines ``policy``'s rating caps give for ``events`` (used for a sub-period on
    leave, whose events are not scored but whose discipline still caps the year)."""
    lines: list[CapLine] = []
    for cap in policy.caps:
        mine = [event for event in events if event.kind == cap.on]
        if not mine:
            continue
        lines.append(cap_line(cap, mine, lowered=False))
    return tuple(lines)


def event_kinds(policy: Policy) -> frozenset[str]:
    """The event kinds a policy's rules and caps count."""
    kinds = {cap.on for cap in policy.caps}
    for category in policy.categories:
        for criterion in category.criteria:
            kinds.update(rule.on for rule in (*criterion.deductions, *criterion.awards))
    return frozenset(kinds)
