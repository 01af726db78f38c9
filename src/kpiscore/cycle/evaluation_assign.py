"""Which policy scores whom: the ``[[assign]]`` rules of an evaluation.

Rules are tried in order and the first that matches a person wins; a person matching no rule is
an error, never left out. A rule matches when every attribute named in ``when`` has one of the
values listed (an empty ``when`` matches everyone) and, with ``since``/``until`` (``from`` and
``until`` in the file, inclusive), when its dates cover the whole sub-period. A promotion in
July is two rules for the person, one ``until`` 30 June, one ``from`` 1 July.

>>> from datetime import date
>>> from kpiscore import Category, Criterion, Period, Person, Policy
>>> from kpiscore.cycle.evaluation_people import Member
>>> leader = Policy(id="leader", name="L", categories=[Category(id="c", name="C",
...     criteria=[Criterion(id="x", name="X", max_points=10)])])
>>> staff = Policy(id="staff", name="S", categories=leader.categories)
>>> rules = [AssignRule(when={"id": ["nv07"]}, policy=leader, since=date(2026, 7, 1)),
...          AssignRule(policy=staff)]
>>> members = [Member(person=Person(id="nv07")), Member(person=Person(id="nv08"))]
>>> [(p.label, {m: r.policy.id for m, r in assign(members, rules, p).items()})
...  for p in (Period.quarter(2026, 2), Period.quarter(2026, 3))]
[('2026-Q2', {'nv07': 'staff', 'nv08': 'staff'}), ('2026-Q3', {'nv07': 'leader', 'nv08': 'staff'})]
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import attrs

from kpiscore.cycle.evaluation_people import Member
from kpiscore.exceptions import InputError
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy

__all__ = ["AssignRule", "assign", "known_attributes"]


def _when(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if isinstance(value, tuple) and all(isinstance(item, tuple) for item in value):
        value = dict(value)
    if not isinstance(value, Mapping):
        raise InputError(f"assign: when must be a mapping of attribute to values (got {value!r})")
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for name, given in value.items():
        values = (given,) if isinstance(given, str) else given
        if not isinstance(values, Sequence) or not values:
            raise InputError(
                f"assign: when.{name} must be a value or a non-empty list of values"
                f" (got {values!r})"
            )
        for item in values:
            if not isinstance(item, str):
                raise InputError(
                    f"assign: when.{name} values must be text (got {type(item).__name__} {item!r})"
                )
        normal = tuple(unicodedata.normalize("NFC", item) for item in values)
        pairs.append((str(name), normal))
    return tuple(sorted(pairs))


@attrs.frozen(kw_only=True)
class AssignRule:
    """One ``[[assign]]`` rule: who (``when``), under which ``policy``, and when.

    Attributes:
        when: Attribute names (``id``, ``unit``, ``position``, ``manager`` or any column of the
            people file) with the values that match, as sorted pairs; empty matches everyone.
        policy: The policy to score the people matched under.
        since: The first day the rule applies (inclusive), or ``None``.
        until: The last day the rule applies (inclusive), or ``None``.
    """

    when: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(default=(), converter=_when)
    policy: Policy
    since: _dt.date | None = None
    until: _dt.date | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.policy, Policy):
            raise InputError(f"assign: policy must be a Policy (got {self.policy!r})")
        for field in ("since", "until"):
            value = getattr(self, field)
            if value is not None and (
                isinstance(value, _dt.datetime) or not isinstance(value, _dt.date)
            ):
                raise InputError(f"assign: {field} must be a date or None (got {value!r})")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise InputError(
                f"assign: until ({self.until.isoformat()}) is before from"
                f" ({self.since.isoformat()})"
            )

    def who(self, member: Member) -> bool:
        """Whether ``when`` matches the person (dates aside)."""
        return all(member.attribute(name) in values for name, values in self.when)

    def coverage(self, period: Period) -> str:
        """``"all"``, ``"none"`` or ``"part"``: how much of ``period`` the rule's dates cover."""
        start = self.since or period.start
        end = self.until or period.end
        if start <= period.start and end >= period.end:
            return "all"
        if end < period.start or start > period.end:
            return "none"
        return "part"

    def describe(self, position: int) -> str:
        """``assign[1] (when position = …, from 2026-07-01)`` for messages."""
        parts = [f"{name} in {list(values)!r}" for name, values in self.when]
        if self.since is not None:
            parts.append(f"from {self.since.isoformat()}")
        if self.until is not None:
            parts.append(f"until {self.until.isoformat()}")
        return f"assign[{position}] ({', '.join(parts) or 'everyone'}; policy {self.policy.id!r})"


def assign(
    members: Iterable[Member], rules: Sequence[AssignRule], period: Period
) -> dict[str, AssignRule]:
    """The rule that scores each person in ``period``, by person id, in population order.

    Raises:
        InputError: a person whom no rule matches, or a rule whose ``when`` matches a person
            and whose dates cover only part of ``period`` (a change of policy must fall on a
            sub-period's boundary).
    """
    chosen: dict[str, AssignRule] = {}
    for member in members:
        found: AssignRule | None = None
        for position, rule in enumerate(rules):
            if not rule.who(member):
                continue
            coverage = rule.coverage(period)
            if coverage == "part":
                raise InputError(
                    f"{rule.describe(position)} matches {member.id!r} for only part of"
                    f" {period.label}; expected dates on the boundaries of the sub-periods"
                    " scored (a policy applies to whole sub-periods)"
                )
            if coverage == "all":
                found = rule
                break
        if found is None:
            raise InputError(
                f"{member.id!r} matches no [[assign]] rule for {period.label}; expected every"
                " person to be assigned a policy (add a last rule without `when` for everyone"
                " else)"
            )
        chosen[member.id] = found
    return chosen


def known_attributes(members: Iterable[Member]) -> set[str]:
    """Every attribute name the people carry (fields, ``manager`` and extra columns)."""
    names: set[str] = {"id", "name", "unit", "group", "position", "manager"}
    for member in members:
        names.update(name for name, _ in member.attributes)
    return names
