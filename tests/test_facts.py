"""Facts: events, measures, people — validated, normalised, clear errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from kpiscore import Event, InputError, Measure, Person


class TestEvent:
    def test_defaults(self) -> None:
        event = Event(subject="nv001", kind="absence", on=date(2026, 1, 5))
        assert (Decimal(1), False, None) == (event.quantity, event.excused, event.ref)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(2, Decimal(2), id="int"),
            pytest.param("1.5", Decimal("1.5"), id="str"),
            pytest.param(2.5, Decimal("2.5"), id="float-shortest-repr"),
            pytest.param(0.1, Decimal("0.1"), id="float-0.1"),
            pytest.param(Decimal("3"), Decimal(3), id="decimal"),
        ],
    )
    def test_quantity_converts_losslessly(self, value: object, expected: Decimal) -> None:
        assert (
            expected == Event(subject="a", kind="k", on=date(2026, 1, 1), quantity=value).quantity
        )  # type: ignore[arg-type]

    def test_negative_quantity(self) -> None:
        with pytest.raises(InputError) as caught:
            Event(subject="nv001", kind="late", on=date(2026, 1, 5), quantity=-1)
        assert "event 'late' of 'nv001': quantity must be >= 0 (got Decimal('-1'))" == str(
            caught.value
        )

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), "NaN", "abc", True, None, [1]])
    def test_invalid_quantity(self, bad: object) -> None:
        with pytest.raises(
            InputError, match="event 'late' of 'nv001': quantity must be a finite number"
        ):
            Event(subject="nv001", kind="late", on=date(2026, 1, 5), quantity=bad)  # type: ignore[arg-type]

    def test_datetime_is_refused_with_advice(self) -> None:
        with pytest.raises(InputError) as caught:
            Event(subject="nv001", kind="late", on=datetime(2026, 1, 5, 23, 30))  # type: ignore[arg-type]  # noqa: DTZ001
        assert "pass on.date()" in str(caught.value)

    def test_text_date_is_refused(self) -> None:
        with pytest.raises(
            InputError, match=r"on must be a datetime.date \(got str '2026-01-05'\)"
        ):
            Event(subject="nv001", kind="late", on="2026-01-05")  # type: ignore[arg-type]

    def test_excused_must_be_bool(self) -> None:
        with pytest.raises(InputError, match="excused must be True or False"):
            Event(subject="nv001", kind="late", on=date(2026, 1, 5), excused="yes")  # type: ignore[arg-type]

    def test_empty_subject(self) -> None:
        with pytest.raises(InputError, match="subject must not be empty"):
            Event(subject=" ", kind="late", on=date(2026, 1, 5))

    def test_text_is_nfc(self) -> None:
        event = Event(subject="nv001", kind="vắng họp", on=date(2026, 1, 5), note="Ve\u0302\u0301")
        assert ("vắng họp", "Vế") == (event.kind, event.note)

    def test_too_large_a_number(self) -> None:
        with pytest.raises(InputError, match="less than 10\\*\\*15"):
            Event(subject="a", kind="k", on=date(2026, 1, 1), quantity="1e20")


class TestMeasure:
    def test_value(self) -> None:
        assert Decimal("0.875") == Measure(subject="a", criterion="quality", value="0.875").value

    def test_invalid_value(self) -> None:
        with pytest.raises(InputError) as caught:
            Measure(subject="a", criterion="quality", value=float("nan"))
        assert str(caught.value).startswith(
            "measure 'quality' of 'a': value must be a finite number"
        )


class TestPerson:
    def test_attributes(self) -> None:
        person = Person(id="nv001", unit="Phòng A", group="chuyên viên")
        assert ("Phòng A", "chuyên viên", None) == (
            person.attribute("unit"),
            person.attribute("group"),
            person.attribute("position"),
        )

    def test_unknown_attribute(self) -> None:
        with pytest.raises(InputError, match="no attribute 'team'"):
            Person(id="nv001").attribute("team")

    def test_id_required(self) -> None:
        with pytest.raises(InputError, match=r"person 1: id must be a string \(got int 1\)"):
            Person(id=1)  # type: ignore[arg-type]
