"""Facts about people: events (violations, initiatives…), measures, and the people themselves."""

from __future__ import annotations

import datetime as _dt
import unicodedata
from decimal import Decimal
from typing import Any

import attrs

from kpiscore.exceptions import InputError
from kpiscore.model.numbers import number, to_decimal
from kpiscore.model.period import check_date
from kpiscore.model.text import lone_surrogate

__all__ = ["Event", "Measure", "Person", "check_text"]


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


def _text_validator(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
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


@attrs.frozen(kw_only=True)
class Person:
    """A member of the population scored.

    Quotas and reports group people by ``unit``, ``group`` (a group of similar tasks) or
    ``position``.

    >>> Person(id="nv001", name="Nguyễn Văn An", unit="Phòng Tổ chức").unit
    'Phòng Tổ chức'
    """

    id: str = attrs.field(converter=_nfc, validator=_text_validator)
    name: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    unit: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    group: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)
    position: str | None = attrs.field(default=None, converter=_nfc, validator=_text_validator)

    def to_dict(self) -> dict[str, str | None]:
        """The person as a JSON-ready tree: ``id``, ``name``, ``unit``, ``group``, ``position``."""
        return {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "group": self.group,
            "position": self.position,
        }

    def attribute(self, name: str) -> str | None:
        """The value of a grouping attribute by name (``"unit"``, ``"group"``, ``"position"``)."""
        if name not in ("id", "name", "unit", "group", "position"):
            raise InputError(
                f"person {self.id!r}: no attribute {name!r}; expected one of"
                " 'id', 'name', 'unit', 'group', 'position'"
            )
        value: str | None = getattr(self, name)
        return value
