"""The people of an evaluation: each :class:`~kpiscore.Person`, their manager and any other
attributes of the people file (kept, so ``[[assign]]`` rules and quota groups can use them)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from kpiscore.cycle.evaluation_csv import CsvRow, raise_all, read_csv_table
from kpiscore.exceptions import FileFormatError, InputError
from kpiscore.model.facts import PERSON_FIELDS, Person

__all__ = ["PERSON_COLUMNS", "Member", "check_members", "read_people"]

#: The columns that make the :class:`~kpiscore.Person`; ``manager`` and any others are kept
#: on the :class:`Member`.
PERSON_COLUMNS: Final[tuple[str, ...]] = PERSON_FIELDS


def _attributes(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        value = tuple(value.items())
    if not isinstance(value, tuple):
        value = tuple(value)  # type: ignore[arg-type]
    return tuple(sorted((str(k), unicodedata.normalize("NFC", str(v))) for k, v in value))


@attrs.frozen(kw_only=True)
class Member:
    """One person of an evaluation.

    Attributes:
        person: The :class:`~kpiscore.Person` scored (id, name, unit, group, position).
        manager: The id of their direct manager, or ``None`` at the top.
        attributes: Other columns of the people file, as sorted ``(name, value)`` pairs: the
            person's own :attr:`~kpiscore.Person.attributes` and any given here.

    >>> from kpiscore import Person
    >>> member = Member(person=Person(id="nv01", unit="P1"), manager="tp01",
    ...                 attributes={"grade": "A1"})
    >>> member.attribute("manager"), member.attribute("unit"), member.attribute("grade")
    ('tp01', 'P1', 'A1')
    """

    person: Person
    manager: str | None = None
    attributes: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_attributes)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.person, Person):
            raise InputError(f"member: person must be a Person (got {self.person!r})")
        if self.manager is not None and (not isinstance(self.manager, str) or not self.manager):
            raise InputError(
                f"member {self.person.id!r}: manager must be a person id or None"
                f" (got {self.manager!r})"
            )
        for name, _ in self.attributes:
            if name in (*PERSON_COLUMNS, "manager"):
                raise InputError(
                    f"member {self.person.id!r}: attribute {name!r} is a field of its own"
                )
        # One notion of a person's other attributes: the Person's, which a member shows too
        # (given on either; a name given on both must agree).
        merged = dict(self.person.attributes)
        if "manager" in merged:
            raise InputError(
                f"member {self.person.id!r}: the person's attribute 'manager' is a field of the"
                " member; give it as manager="
            )
        for name, value in self.attributes:
            if merged.setdefault(name, value) != value:
                raise InputError(
                    f"member {self.person.id!r}: attribute {name!r} is {value!r} here but"
                    f" {merged[name]!r} on the person"
                )
        object.__setattr__(self, "attributes", tuple(sorted(merged.items())))

    @property
    def id(self) -> str:
        """The person's id."""
        return self.person.id

    def attribute(self, name: str) -> str | None:
        """A person field, ``manager``, or another attribute of the people file (``None``
        when the person has no value for it)."""
        if name in PERSON_COLUMNS:
            value: str | None = getattr(self.person, name)
            return value
        if name == "manager":
            return self.manager
        return dict(self.attributes).get(name)


def check_members(members: Iterable[Member | Person | str]) -> tuple[Member, ...]:
    """Members from members, people or ids; ids must be unique and managers known.

    Raises:
        InputError: a repeated id, or a manager who is not in the population.
    """
    checked: list[Member] = []
    for position, given in enumerate(members):
        value: object = Person(id=given) if isinstance(given, str) else given
        if isinstance(value, Person):
            value = Member(person=value)
        if not isinstance(value, Member):
            raise InputError(
                f"people[{position}] must be a Member, a Person or an id"
                f" (got {type(value).__name__} {value!r})"
            )
        checked.append(value)
    seen: set[str] = set()
    for member in checked:
        if member.id in seen:
            raise InputError(f"people: the id {member.id!r} appears twice; expected unique ids")
        seen.add(member.id)
    for member in checked:
        if member.manager is not None and member.manager not in seen:
            raise InputError(
                f"people: the manager of {member.id!r} is {member.manager!r}, who is not in"
                " the population"
            )
        if member.manager == member.id:
            raise InputError(f"people: {member.id!r} is their own manager")
    return tuple(checked)


def read_people(source: str | os.PathLike[str]) -> tuple[Member, ...]:
    """Read a people file: CSV with ``id`` (required), ``name``, ``unit``, ``group``,
    ``position``, ``manager`` and any other columns (kept as attributes).

    Raises:
        FileFormatError: a bad row, a repeated id or an unknown manager (naming the line).
    """
    names, rows = read_csv_table(
        source,
        required=("id",),
        optional=(*PERSON_COLUMNS[1:], "manager"),
        keep_extra=True,
        what="people",
    )
    extra = [name for name in names if name not in (*PERSON_COLUMNS, "manager")]
    members: list[Member] = []
    read: list[tuple[Member, CsvRow]] = []
    lines: dict[str, int] = {}
    problems: list[FileFormatError] = []
    for row in rows:
        ident = row.cells["id"] or ""
        if ident in lines:
            problems.append(row.problem("id", f"{ident!r} already given on line {lines[ident]}"))
            continue
        lines[ident] = row.line
        attributes = {name: row.cells[name] for name in extra if row.cells.get(name) is not None}
        person = Person(
            **{column: row.cells.get(column) for column in PERSON_COLUMNS},
            attributes=attributes,
        )
        member = Member(person=person, manager=row.cells.get("manager"))
        members.append(member)
        read.append((member, row))
    for member, row in read:
        if member.manager is not None and member.manager not in lines:
            problems.append(
                row.problem("manager", f"{member.manager!r} is not the id of anyone in the file")
            )
        elif member.manager == member.id:
            problems.append(row.problem("manager", f"{member.id!r} is their own manager"))
    raise_all(problems, str(source))
    return tuple(members)
