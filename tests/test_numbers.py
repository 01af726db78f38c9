"""Exact numbers: conversion, one rounding, and exact rounding of fractions in every mode."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiscore.exceptions import InputError, PolicyError
from kpiscore.model.numbers import (
    ROUNDING_MODES,
    canonical,
    format_points,
    number,
    optional_number,
    quantize,
    quantize_fraction,
    quantize_ratio,
    to_decimal,
)


class TestToDecimal:
    def test_error_class_is_the_callers(self) -> None:
        with pytest.raises(PolicyError, match="criterion 'x': max_points must be a finite number"):
            to_decimal("inf", owner="criterion 'x'", field="max_points", error=PolicyError)

    def test_negative_zero_is_zero(self) -> None:
        assert "0" == str(to_decimal("-0", owner="o", field="f"))

    def test_too_many_places(self) -> None:
        with pytest.raises(InputError, match="at most 40 decimal places"):
            to_decimal("1e-41", owner="o", field="f")

    def test_does_not_touch_the_context(self) -> None:
        with decimal.localcontext() as context:
            context.prec = 2
            assert Decimal("123.456") == to_decimal("123.456", owner="o", field="f")


class TestQuantizeFraction:
    @pytest.mark.parametrize(
        ("value", "mode", "expected"),
        [
            pytest.param(Fraction(182, 3), "ROUND_HALF_UP", "60.67", id="third-up"),
            pytest.param(Fraction(-182, 3), "ROUND_HALF_UP", "-60.67", id="negative"),
            pytest.param(Fraction(1, 8), "ROUND_HALF_EVEN", "0.12", id="tie-even"),
            pytest.param(Fraction(3, 8), "ROUND_HALF_EVEN", "0.38", id="tie-even-up"),
            pytest.param(Fraction(1, 8), "ROUND_HALF_DOWN", "0.12", id="tie-down"),
            pytest.param(Fraction(-1, 8), "ROUND_HALF_UP", "-0.13", id="tie-negative"),
            pytest.param(Fraction(-1, 1000), "ROUND_HALF_UP", "0.00", id="negative-zero"),
            pytest.param(Fraction(1, 1000), "ROUND_UP", "0.01", id="up"),
            pytest.param(Fraction(-1, 1000), "ROUND_FLOOR", "-0.01", id="floor"),
        ],
    )
    def test_cases(self, value: Fraction, mode: str, expected: str) -> None:
        assert expected == str(quantize_fraction(value, Decimal("0.01"), mode))

    @given(
        numerator=st.integers(min_value=-(10**12), max_value=10**12),
        denominator=st.integers(min_value=1, max_value=10**6),
        mode=st.sampled_from(ROUNDING_MODES),
        places=st.integers(min_value=0, max_value=6),
    )
    def test_agrees_with_decimal_on_exact_quotients(
        self, numerator: int, denominator: int, mode: str, places: int
    ) -> None:
        """Invariant: when the quotient is exactly representable at 60 digits, rounding the
        fraction equals rounding the exact decimal quotient with the same mode."""
        precision = Decimal(1).scaleb(-places)
        context = decimal.Context(prec=60, traps=[decimal.Inexact])
        try:
            exact_value = context.divide(Decimal(numerator), Decimal(denominator))
        except decimal.Inexact:
            return
        expected = exact_value.quantize(precision, rounding=mode)
        if expected.is_zero():
            expected = expected.copy_abs()
        assert expected == quantize_fraction(Fraction(numerator, denominator), precision, mode)
        assert str(expected) == str(
            quantize_fraction(Fraction(numerator, denominator), precision, mode)
        )


class TestFormatting:
    def test_canonical(self) -> None:
        assert ("2.5", "100", "0", "-1.25") == (
            canonical(Decimal("2.50")),
            canonical(Decimal("1E+2")),
            canonical(Decimal("-0.0")),
            canonical(Decimal("-1.250")),
        )

    def test_format_points(self) -> None:
        assert ("10", "0.00", "1.50") == (
            format_points(Decimal("1E+1")),
            format_points(Decimal("-0.00")),
            format_points(Decimal("1.50")),
        )

    def test_quantize_half_up(self) -> None:
        assert Decimal("2.68") == quantize(Decimal("2.675"), Decimal("0.01"), "ROUND_HALF_UP")


class TestHugeNumbers:
    def test_an_enormous_exponent_is_an_input_error_not_an_overflow(self) -> None:
        with pytest.raises(InputError, match="less than 10\\*\\*15"):
            to_decimal("1e1000000", owner="o", field="f")

    def test_the_caller_s_context_cannot_make_it_overflow(self) -> None:
        with decimal.localcontext() as context:
            context.Emax = 10
            context.traps[decimal.Overflow] = True
            with pytest.raises(InputError, match="less than 10\\*\\*15"):
                to_decimal("1e20", owner="o", field="f")
            assert Decimal("12.5") == to_decimal("12.5", owner="o", field="f")


class TestRationalRoundingAgreesWithDecimal:
    """quantize_fraction and quantize_ratio round as decimal.quantize does, in every mode, for
    positive and negative values, on and off the half, and for last digits 0 and 5 (ROUND_05UP):
    mutants of the integer rounding survived the suite before (issue 19 #12)."""

    VALUES = (
        "1.51",
        "1.55",
        "1.45",
        "0.05",
        "0.01",
        "0.49",
        "2.5",
        "-1.51",
        "-1.55",
        "-1.45",
        "-0.05",
        "-0.01",
        "-2.5",
        "15.01",
        "10.01",
        "-10.01",
        "9.99",
        "-9.99",
        "0.96",
    )

    @pytest.mark.parametrize("mode", sorted(ROUNDING_MODES))
    @pytest.mark.parametrize("precision", ["0.1", "1"])
    def test_every_mode(self, mode: str, precision: str) -> None:
        quantum = Decimal(precision)
        for text in self.VALUES:
            value = Decimal(text)
            want = value.quantize(quantum, rounding=mode, context=decimal.Context(prec=50))
            fraction = Fraction(value)
            assert want == quantize_fraction(fraction, quantum, mode), (text, mode)
            got = quantize_ratio(fraction.numerator, fraction.denominator, quantum, mode)
            assert want == got, (text, mode)
            # kpiscore never reports a negative zero; otherwise the same digits.
            shown = str(want.copy_abs()) if want.is_zero() else str(want)
            assert shown == str(quantize(value, quantum, mode)), (text, mode)


class TestSurvivorsOfTheMutationRun:
    """Pins what the model/numbers.py mutants that survived showed untested (issue 19 #12)."""

    def test_a_float_goes_through_its_shortest_repr(self) -> None:
        assert Decimal("0.7") == to_decimal(0.7, owner="o", field="f")
        assert Decimal("0.1") == number(0.1)

    def test_underscores_and_blank_text(self) -> None:
        assert Decimal(1000) == to_decimal("1_000", owner="o", field="f")
        with pytest.raises(InputError, match="o: f must be a finite number"):
            to_decimal("   ", owner="o", field="f")

    def test_the_messages_name_owner_field_and_value(self) -> None:
        with pytest.raises(InputError) as caught:
            to_decimal("abc", owner="o", field="f")
        assert "o: f must be a finite number (int, str, Decimal or float) (got 'abc')" == str(
            caught.value
        )
        with pytest.raises(InputError) as caught:
            to_decimal(True, owner="o", field="f")
        assert (
            "o: f must be a finite number (int, str, Decimal or float), not a bool (got True)"
            == str(caught.value)
        )
        with pytest.raises(InputError) as caught:
            to_decimal([1], owner="o", field="f")
        assert str(caught.value).endswith("(got list [1])")

    def test_the_bounds_are_exclusive_where_documented(self) -> None:
        assert Decimal("999999999999999") == to_decimal("999999999999999", owner="o", field="f")
        with pytest.raises(InputError, match="must be less than 10"):
            to_decimal("1E+15", owner="o", field="f")
        forty = "0." + "0" * 39 + "1"
        assert Decimal(forty) == to_decimal(forty, owner="o", field="f")
        with pytest.raises(InputError, match="at most 40"):
            to_decimal("0." + "0" * 40 + "1", owner="o", field="f")
        assert Decimal(0) == to_decimal("0." + "0" * 50, owner="o", field="f")
        assert optional_number(None) is None
        assert Decimal(1) == optional_number("1")

    def test_a_precision_coarser_than_one(self) -> None:
        ten = Decimal("1E+1")
        # Beyond a float's 53 bits, so only integer arithmetic gets it right (a mutant scaling
        # the numerator by 10 ** -1 survived the small cases below).
        assert Decimal("1.0000000000000001E+17") == quantize_ratio(
            10**17 + 5, 1, ten, "ROUND_HALF_UP"
        )
        assert Decimal("3E+1") == quantize_ratio(25, 1, ten, "ROUND_HALF_UP")
        assert Decimal("2E+1") == quantize_ratio(49, 2, ten, "ROUND_HALF_UP")
        assert Decimal("1E+2") == quantize_ratio(297, 3, Decimal("1E+2"), "ROUND_HALF_UP")

    def test_the_callers_context_is_never_read(self) -> None:
        with decimal.localcontext(decimal.Context(prec=2, traps=[decimal.Rounded])):
            assert "12345.678" == canonical(Decimal("12345.6780"))
            assert Decimal("98765.43") == quantize_ratio(
                987654321, 10000, Decimal("0.01"), "ROUND_HALF_UP"
            )


class TestUnknownRounding:
    """An unknown rounding mode is an InputError naming it and the valid modes, in every
    rounding helper, whether or not the value needs rounding (decimal raised a bare TypeError,
    and the integer rounding returned the nearest value without a word; issue 19)."""

    MESSAGE = (
        "rounding must be one of 'ROUND_05UP', 'ROUND_CEILING', 'ROUND_DOWN', 'ROUND_FLOOR',"
        " 'ROUND_HALF_DOWN', 'ROUND_HALF_EVEN', 'ROUND_HALF_UP', 'ROUND_UP' (got {!r})"
    )

    @pytest.mark.parametrize("rounding", ["half_up", "round_half_up", "", None, 3, ["ROUND_UP"]])
    @pytest.mark.parametrize("value", ["1.234", "1.235", "1.23"])
    def test_every_helper_names_the_mode(self, rounding: object, value: str) -> None:
        message = self.MESSAGE.format(rounding)
        quantum = Decimal("0.01")
        with pytest.raises(InputError) as caught:
            quantize(Decimal(value), quantum, rounding)  # type: ignore[arg-type]
        assert message == str(caught.value)
        assert not isinstance(caught.value, TypeError)
        with pytest.raises(InputError) as caught:
            quantize_fraction(Fraction(value), quantum, rounding)  # type: ignore[arg-type]
        assert message == str(caught.value)
        with pytest.raises(InputError) as caught:
            quantize_ratio(1, 3, quantum, rounding)  # type: ignore[arg-type]
        assert message == str(caught.value)

    def test_another_type_error_is_not_hidden(self) -> None:
        """A TypeError that is not about the mode (a float quantum) stays itself."""
        with pytest.raises(TypeError, match="float"):
            quantize(Decimal("1.5"), 0.1, "ROUND_HALF_UP")  # type: ignore[arg-type]
