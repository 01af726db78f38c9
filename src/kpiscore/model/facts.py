"""Facts about people: events (violations, initiatives…), measures, and the people themselves."""

from __future__ import annotations

import datetime as _dt
import functools
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from kpiscore.exceptions import InputError
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.numbers import number, to_decimal
from kpiscore.model.period import check_date
from kpiscore.model.text import lone_surrogate

__all__ = ["PERSON_FIELDS", "Event", "Measure", "Person", "attribute_name_problem", "check_text"]


def check_text(value: object, *, owner: str, field: str, optional: bool = False) -> str | None:
    """Require a non-empty string (or ``None`` when optional); return it NFC-normalised."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InputError(
            f"{owner}: {field} must be a string (got {type(value).__name__} {value!r})"
        )
    if not value.strip():
        raise InputError(f"{owner}: {field} must not be empty (got {value!r})")
    surrogate = lone_surrogate(value)
    if surrogate is not None:
        raise InputError(f"{owner}: {field} holds {surrogate} (got {value!r})")
    # Vietnamese text arrives both composed and decomposed; compare and print one form.
    return unicodedata.normalize("NFC", value)


#: The type of the field a validator is on (validators here serve fields of several types).
_V = TypeVar("_V")


def _text_validator(instance: object, attribute: attrs.Attribute[_V], value: _V) -> None:
    # Valid text is the rule: checked without building the message, which names its owner
    # and costs more than the check (a population of 200,000 ids is built in a notebook).
    if isinstance(value, str) and value.strip() and (value.isascii() or not lone_surrogate(value)):
        return
    optional = attribute.default is None
    check_text(value, owner=_owner(instance), field=attribute.name, optional=optional)


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _owner(instance: object) -> str:
    if isinstance(instance, Event):
        return (
            f"event {instance.kind!r} of {instance.subject!r}"
            if isinstance(instance.kind, str)
            else "event"
        )
    if isinstance(instance, Measure):
        return f"measure {instance.criterion!r} of {instance.subject!r}"
    if isinstance(instance, Person):
        return f"person {instance.id!r}"
    return type(instance).__name__.lower()


@attrs.frozen(kw_only=True)
class Event:
    """A dated fact about one person: an absence, a late approval, a reprimand, an initiative.

    Args:
        subject: The person's id.
        kind: What happened; rules match it through their ``on`` field.
        on: The day it happened (a ``date``; a ``datetime`` is refused).
        quantity: How much, a non-negative number (days late, hours absent); 1 by default.
        excused: True when there was a valid reason ("có lý do chính đáng"): the event then never
            changes a score, but the ledger lists it as exempted.
        ref: An identifier of the source record, shown in the ledger.
        note: Free text shown in the ledger.

    >>> event = Event(subject="nv001", kind="training_absence", on=date(2026, 2, 3), quantity="1")
    >>> event.quantity, event.excused
    (Decimal('1'), False)
    """

    subject: str = attrs.field(converter=_nfc, validator=_text_validator)
    kind: str = attrs.field(converter=_nfc, validator=_text_validator)
    on: _dt.date = attrs.field()
    quantity: Decimal = attrs.field(default=Decimal(1), converter=number)
    excused: bool = attrs.field(default=False)
    ref: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    note: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = _owner(self)
        check_date(self.on, owner=owner, field="on")
        quantity = to_decimal(self.quantity, owner=owner, field="quantity")
        if quantity < 0:
            raise InputError(f"{owner}: quantity must be >= 0 (got {quantity!r})")
        object.__setattr__(self, "quantity", quantity)
        if not isinstance(self.excused, bool):
            raise InputError(f"{owner}: excused must be True or False (got {self.excused!r})")
        if self.note is not None and not isinstance(self.note, str):
            raise InputError(f"{owner}: note must be a string (got {self.note!r})")


@attrs.frozen(kw_only=True)
class Measure:
    """The input value of an ``assessed`` or ``ratio`` criterion for one person.

    Args:
        subject: The person's id.
        criterion: The criterion id it is the value of.
        value: An assessor's points (``assessed``) or a completion ratio (``ratio``).

    >>> Measure(subject="nv001", criterion="quantity", value=0.9).value
    Decimal('0.9')
    """

    subject: str = attrs.field(converter=_nfc, validator=_text_validator)
    criterion: str = attrs.field(converter=_nfc, validator=_text_validator)
    value: Decimal = attrs.field(converter=number)

    def __attrs_post_init__(self) -> None:
        value = to_decimal(self.value, owner=_owner(self), field="value")
        object.__setattr__(self, "value", value)


#: The fields of a :class:`Person` (a people file's fixed columns); other columns are attributes.
PERSON_FIELDS: Final[tuple[str, ...]] = ("id", "name", "unit", "group", "position")


def _attribute_pairs(value: object) -> object:
    """Attributes as sorted ``(name, value)`` pairs, NFC; a mapping or pairs are accepted."""
    if isinstance(value, Mapping):
        value = tuple(value.items())
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value  # refused by the check, with its message
    pairs = tuple(value)
    if all(isinstance(pair, tuple) and len(pair) == 2 for pair in pairs):
        pairs = tuple((_nfc(name), _nfc(text)) for name, text in pairs)
        if all(isinstance(name, str) for name, _ in pairs):
            return tuple(sorted(pairs, key=lambda pair: pair[0]))
    return pairs


def attribute_name_problem(name: str) -> str | None:
    """What is wrong with an attribute's name (``None`` when nothing): a person field's name,
    also in other letter case (``Unit``: a misspelt field, not another attribute)."""
    clash = next((f for f in PERSON_FIELDS if f == name.casefold()), None)
    if clash is None:
        return None
    how = "is" if clash == name else "differs only by case from"
    return (
        f"{name!r} {how} the person field {clash!r}; expected other names than"
        f" {', '.join(repr(f) for f in PERSON_FIELDS)} for a person's other attributes"
    )


def _check_attributes(owner: str, value: object) -> None:
    expected = "a mapping of attribute names to texts (or (name, text) pairs)"
    if not isinstance(value, tuple) or not all(
        isinstance(pair, tuple) and len(pair) == 2 for pair in value
    ):
        raise InputError(f"{owner}: attributes must be {expected} (got {value!r})")
    seen: set[str] = set()
    for name, text in value:
        if not (isinstance(name, str) and _good_name(name)):
            check_text(name, owner=owner, field="attribute name")
            if name != name.strip():
                raise InputError(f"{owner}: attribute name {name!r} has spaces around it")
            raise InputError(f"{owner}: attribute {attribute_name_problem(name)}")
        if name in seen:
            raise InputError(f"{owner}: attribute {name!r} is given twice")
        seen.add(name)
        if not (isinstance(text, str) and text.strip() and text.isascii()):
            check_text(text, owner=owner, field=f"attribute {name!r}")


@functools.lru_cache(maxsize=256)
def _good_name(name: str) -> bool:
    """Whether an attribute name is fine (a people file's few columns, checked once each)."""
    try:
        check_text(name, owner="", field="")
    except InputError:
        return False
    return name == name.strip() and attribute_name_problem(name) is None


@attrs.frozen(kw_only=True)
class Person:
    """A member of the population scored.

    Quotas and reports group people by ``unit``, ``group`` (a group of similar tasks) or
    ``position``, or by any of their other ``attributes`` (the other columns of a people
    file: a grade, a contract type…), kept as sorted ``(name, text)`` pairs so that a person
    stays immutable and hashable.

    >>> Person(id="nv001", name="Nguyễn Văn An", unit="Phòng Tổ chức").unit
    'Phòng Tổ chức'
    >>> person = Person(id="nv002", attributes={"ngach": "A1", "grade": "3"})
    >>> person.attributes, person.attribute("grade")
    ((('grade', '3'), ('ngach', 'A1')), '3')
    """

    id: str = attrs.field(converter=_nfc, validator=_text_validator)
    name: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    unit: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    group: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    position: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    attributes: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_attribute_pairs)

    def __attrs_post_init__(self) -> None:
        if self.attributes != ():
            _check_attributes(_owner(self), self.attributes)

    def to_dict(self) -> dict[str, Any]:
        """The person as a JSON-ready tree: ``id``, ``name``, ``unit``, ``group``, ``position``,
        and ``attributes`` (an object of texts) when the person has any."""
        tree: JsonObject = {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "group": self.group,
            "position": self.position,
        }
        if self.attributes:
            tree["attributes"] = dict(self.attributes)
        return tree

    def attribute(self, name: str) -> str | None:
        """The value of a field (``"unit"``, ``"group"``, ``"position"``…, ``None`` when not
        given) or of one of the person's other ``attributes`` by name.

        Raises:
            InputError: a name that is neither a field nor one of the person's attributes.

        >>> Person(id="nv001", unit="P1", attributes={"grade": "A1"}).attribute("grade")
        'A1'
        """
        if name in PERSON_FIELDS:
            value: str | None = getattr(self, name)
            return value
        for key, text in self.attributes:
            if key == name:
                return text
        others = ", ".join(repr(key) for key, _ in self.attributes) or "none"
        raise InputError(
            f"person {self.id!r}: no attribute {name!r}; expected one of"
            f" {', '.join(repr(f) for f in PERSON_FIELDS)} or one of the person's other"
            f" attributes ({others})"
        )

    def get(self, name: str) -> str | None:
        """Like :meth:`attribute`, but ``None`` for a name the person has no value for.

        >>> Person(id="nv001").get("grade") is None
        True
        """
        if name in PERSON_FIELDS:
            value: str | None = getattr(self, name)
            return value
        return dict(self.attributes).get(name)
