"""Payout tables: amounts, floors, caps, relations, proration, bundled tables, rows, salaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    Measure,
    Period,
    PeriodError,
    Person,
    Policy,
    PolicyError,
    PolicyValidationError,
    ScoreTable,
    UnknownPolicyError,
    UnknownSubjectError,
    score_many,
)
from kpiscore.payout import (
    PayoutRate,
    PayoutRelation,
    PayoutTable,
    Salary,
    TableNote,
    available,
    load,
    parse,
    parse_salaries,
    payout_rows,
    read,
    read_salaries,
    source,
)

DANANG = load("danang-2026")
HCM = load("hcm-2024")


def table(**changes: Any) -> PayoutTable:
    """A small table: HTXS 0.5 with floor 1,000,000 and cap 2 × salary, HTT 0.3, KHT 0."""
    fields: dict[str, Any] = {
        "id": "t",
        "name": "Test",
        "rates": [
            PayoutRate(rating="HTXS", coefficient="0.5", floor=1_000_000, cap_multiple=2),
            PayoutRate(rating="HTT", coefficient="0.3"),
            PayoutRate(rating="KHT", coefficient=0),
        ],
        **changes,
    }
    return PayoutTable(**fields)


class TestDaNang:
    @pytest.mark.parametrize(
        ("rating", "salary", "expected"),
        [
            ("HTXS", 7_020_000, "3510000"),  # 0.5 × 7,020,000
            ("HTT", 7_020_000, "2106000"),  # 0.3 × 7,020,000
            ("HT", 7_020_000, "702000"),  # 0.1 × 7,020,000
            ("KHT", 7_020_000, "0"),
            ("HTXS", 2_340_000, "1500000"),  # 1,170,000 lifted to the floor
            ("HTT", 4_000_000, "1500000"),  # 1,200,000 lifted to the floor
            ("HTT", 5_000_000, "1500000"),  # exactly the floor
            ("HT", 4_680_000, "500000"),  # 468,000 lifted to the HT floor
            ("HT", 5_000_001, "500000"),  # 500,000.1 rounds half up to 500,000
            ("HT", 5_000_005, "500001"),  # 500,000.5 rounds half up to 500,001
            ("KHT", 0, "0"),
            ("HTT", 0, "1500000"),  # a zero salary still gets the floor
        ],
        ids=[
            "htxs",
            "htt",
            "ht",
            "kht-nothing",
            "htxs-low-salary-floor",
            "htt-low-salary-floor",
            "htt-at-the-floor",
            "ht-floor",
            "ht-rounds-down",
            "ht-half-up",
            "kht-zero-salary",
            "htt-zero-salary-floor",
        ],
    )
    def test_monthly_amounts(self, rating: str, salary: int, expected: str) -> None:
        assert Decimal(expected) == DANANG.amount(rating, salary)

    def test_the_issue_quarter(self) -> None:
        # 0.5 × 7,020,000 + 2 × 0.3 × 7,020,000 = 3,510,000 + 4,212,000
        assert Decimal("7722000") == DANANG.amount_for_months(["HTXS", "HTT", "HTT"], 7_020_000)

    def test_a_quarter_with_one_salary_per_month(self) -> None:
        amount = DANANG.amount_for_months(["HTXS", "HTT", "HT"], [7_020_000, 7_020_000, 4_000_000])
        assert Decimal(3_510_000 + 2_106_000 + 500_000) == amount

    def test_a_quarter_adds_months_rounded_one_by_one(self) -> None:
        # 0.1 × 5,000,005 = 500,000.5 each month -> 500,001 each; 1,500,003 in all.
        assert Decimal("1500003") == DANANG.amount_for_months(["HT", "HT", "HT"], 5_000_005)

    def test_a_low_salary_is_lifted_to_the_floor_in_the_ledger(self) -> None:
        line = DANANG.breakdown("HTT", 4_000_000)
        assert (Decimal("1200000.0"), True, Decimal("1500000")) == (
            line.computed,
            line.lifted,
            line.amount,
        )

    def test_metadata(self) -> None:
        assert ("month", date(2026, 1, 1), date(2026, 12, 31)) == (
            DANANG.rated_per,
            DANANG.valid_from,
            DANANG.valid_to,
        )
        assert ("HTXS", "HTT", "HT", "KHT") == DANANG.ratings
        assert {"proration", "rounding"} == {note.about for note in DANANG.local_choices}


class TestHoChiMinhCity:
    @pytest.mark.parametrize(
        ("rating", "salary", "expected"),
        [
            ("HTXS", 7_020_000, "12636000"),  # 1.8 × 7,020,000
            ("HTT", 7_020_000, "10108800"),  # 1.44 × 7,020,000 = 0.8 × HTXS
            ("HT", 7_020_000, "0"),
            ("KHT", 7_020_000, "0"),
        ],
        ids=["htxs-ceiling", "htt-80-percent", "ht-nothing", "kht-nothing"],
    )
    def test_monthly_amounts(self, rating: str, salary: int, expected: str) -> None:
        assert Decimal(expected) == HCM.amount(rating, salary)

    def test_htt_is_at_most_80_percent_of_htxs(self) -> None:
        for salary in (0, 1, 2_340_000, 7_020_000, 9_999_999):
            assert HCM.amount("HTT", salary) <= HCM.amount("HTXS", salary) * Decimal("0.8") + 1

    def test_a_quarter_rating_pays_three_months(self) -> None:
        assert Decimal(3 * 12_636_000) == HCM.amount("HTXS", 7_020_000, months=3)

    def test_metadata(self) -> None:
        assert ("quarter", date(2024, 5, 12), None) == (
            HCM.rated_per,
            HCM.valid_from,
            HCM.valid_to,
        )
        assert HCM.local_choices
        assert "Resolution 08/2023" in (HCM.rates[0].reference or "")


class TestSteps:
    def test_the_cap_as_a_multiple_of_salary(self) -> None:
        # 0.5 × 100,000 = 50,000 -> floor 1,000,000 -> cap 2 × 100,000 = 200,000: the cap wins.
        line = table().breakdown("HTXS", 100_000)
        assert (True, Decimal("200000"), True, Decimal("200000")) == (
            line.lifted,
            line.cap,
            line.capped,
            line.amount,
        )

    def test_the_lower_of_two_caps_applies(self) -> None:
        rates = [PayoutRate(rating="HTXS", coefficient=1, cap=5_000_000, cap_multiple="0.9")]
        assert Decimal("4500000") == table(rates=rates).amount("HTXS", 5_000_000)
        assert Decimal("5000000") == table(rates=rates).amount("HTXS", 8_000_000)

    def test_a_relation_limits_after_floors(self) -> None:
        rates = [
            PayoutRate(rating="HTXS", coefficient="0.5"),
            PayoutRate(rating="HTT", coefficient="0.3", floor=2_000_000),
        ]
        relation = PayoutRelation(rating="HTT", of="HTXS", at_most="0.8")
        line = table(rates=rates, relations=[relation]).breakdown("HTT", 4_000_000)
        # 1,200,000 -> floor 2,000,000 -> at most 0.8 × 2,000,000 = 1,600,000
        assert (True, Decimal("1600000.00"), True, Decimal("1600000")) == (
            line.lifted,
            line.relation,
            line.related,
            line.amount,
        )

    @pytest.mark.parametrize(
        ("worked", "days", "expected"),
        [
            (22, 22, "3510000"),
            (11, 22, "1755000"),
            (0, 22, "0"),
            (10, 31, "1132258"),  # 3,510,000 × 10 / 31 = 1,132,258.06…
            ("0.5", 1, "1755000"),
        ],
        ids=["full", "half", "none", "repeating-fraction", "half-day"],
    )
    def test_proration_by_days_worked(self, worked: Any, days: Any, expected: str) -> None:
        assert Decimal(expected) == DANANG.amount("HTXS", 7_020_000, worked, days)

    def test_the_floor_is_prorated_with_the_month(self) -> None:
        # 1,500,000 × 15 / 30
        assert Decimal("750000") == DANANG.amount("HTT", 4_000_000, 15, 30)

    def test_the_exact_value_is_kept_before_the_one_rounding(self) -> None:
        line = DANANG.breakdown("HTXS", 7_020_000, 10, 31)
        assert Fraction(35_100_000, 31) == line.exact

    def test_the_table_rounding_and_precision(self) -> None:
        thousands = table(precision=1000, rounding="ROUND_DOWN")
        assert "1755000" == str(thousands.amount("HTXS", 3_510_999))

    def test_the_callers_decimal_context_is_not_used(self) -> None:
        import decimal

        with decimal.localcontext() as context:
            context.prec = 3
            context.rounding = decimal.ROUND_FLOOR
            assert Decimal("10108800") == HCM.amount("HTT", 7_020_000)

    def test_explain(self) -> None:
        text = DANANG.breakdown("HTT", 4_000_000, 15, 30).explain()
        assert (
            "Additional income, table danang-2026, rating HTT\n"
            "  0.3 × salary 4,000,000 = 1,200,000\n"
            "  below the floor 1,500,000: lifted to it\n"
            "  a full month: 1,500,000\n"
            "  × 15 / 30 days worked\n"
            "  paid: 750,000 đồng (rounded once, ROUND_HALF_UP, to 1)"
        ) == text

    def test_explain_in_vietnamese(self) -> None:
        text = HCM.breakdown("HTT", 7_020_000, months=3).explain("vi")
        assert text.startswith("Thu nhập tăng thêm, bảng hcm-2024, xếp loại HTT\n")
        assert "  × 3 tháng\n" in text

    def test_explain_rejects_an_unknown_language(self) -> None:
        with pytest.raises(InputError, match="lang must be 'vi' or 'en'"):
            DANANG.breakdown("HT", 1).explain("fr")  # type: ignore[arg-type]

    def test_to_dict(self) -> None:
        tree = DANANG.breakdown("HTXS", 7_020_000, 10, 31).to_dict()
        assert ("35100000/31", "1132258", "3510000") == (
            tree["exact"],
            tree["amount"],
            tree["monthly"],
        )


class TestAmountErrors:
    @pytest.mark.parametrize(
        ("args", "kwargs", "message"),
        [
            (
                ("XS", 1),
                {},
                (
                    "payout table 'danang-2026': no rate for rating 'XS'; expected one of"
                    " ['HTXS', 'HTT', 'HT', 'KHT']"
                ),
            ),
            (
                (None, 1),
                {},
                (
                    "payout table 'danang-2026': no rate for rating None; expected one of"
                    " ['HTXS', 'HTT', 'HT', 'KHT']"
                ),
            ),
            (
                ("HTT", -1),
                {},
                "payout table 'danang-2026': salary must be >= 0 (got Decimal('-1'))",
            ),
            (
                ("HTT", 1, 23, 22),
                {},
                (
                    "payout table 'danang-2026': days_worked must lie between 0 and days_in_period"
                    " (22) (got Decimal('23'))"
                ),
            ),
            (
                ("HTT", 1, -1, 22),
                {},
                (
                    "payout table 'danang-2026': days_worked must lie between 0 and days_in_period"
                    " (22) (got Decimal('-1'))"
                ),
            ),
            (
                ("HTT", 1, 0, 0),
                {},
                "payout table 'danang-2026': days_in_period must be > 0 (got Decimal('0'))",
            ),
            (
                ("HTT", 1, 10),
                {},
                (
                    "payout table 'danang-2026': days_worked and days_in_period go together;"
                    " days_in_period is missing"
                ),
            ),
            (
                ("HTT", 1),
                {"months": 0},
                "payout table 'danang-2026': months must be a whole number >= 1 (got 0)",
            ),
            (
                ("HTT", "abc"),
                {},
                (
                    "payout table 'danang-2026': salary must be a finite number (int, str, Decimal"
                    " or float) (got 'abc')"
                ),
            ),
        ],
        ids=[
            "unknown-rating",
            "no-rating",
            "negative-salary",
            "more-days-than-the-period",
            "negative-days",
            "empty-period",
            "days-alone",
            "zero-months",
            "not-a-number",
        ],
    )
    def test_bad_arguments(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(InputError) as caught:
            DANANG.amount(*args, **kwargs)
        assert message == str(caught.value)

    @pytest.mark.parametrize(
        ("ratings", "salary", "message"),
        [
            ([], 1, "ratings must list at least one month (got none)"),
            ("HTT", 1, "ratings must be a sequence of monthly ratings (got 'HTT')"),
            (
                ["HTT", "HTT"],
                [1, 2, 3],
                "salary must give one value per month (2) or one for all (got 3 values)",
            ),
        ],
        ids=["no-months", "a-string", "salary-length"],
    )
    def test_bad_months(self, ratings: Any, salary: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            DANANG.amount_for_months(ratings, salary)
        assert f"payout table 'danang-2026': {message}" == str(caught.value)


class TestTableValidation:
    def test_a_relation_the_coefficients_break(self) -> None:
        with pytest.raises(PolicyError) as caught:
            table(relations=[PayoutRelation(rating="HTT", of="HTXS", at_most="0.5")])
        assert (
            "payout table 't': rate 'HTT': coefficient must be at most 0.5 × HTXS's 0.5 = 0.25,"
            " by the relation HTT <= 0.5 × HTXS (got 0.3)"
        ) == str(caught.value)

    def test_a_relation_naming_an_unknown_rating(self) -> None:
        with pytest.raises(PolicyError, match="of must name a rating of the table"):
            table(relations=[PayoutRelation(rating="HTT", of="HT", at_most=1)])

    def test_a_cycle_of_relations(self) -> None:
        relations = [
            PayoutRelation(rating="HTT", of="HTXS", at_most=1),
            PayoutRelation(rating="HTXS", of="HTT", at_most=1),
        ]
        with pytest.raises(PolicyError, match="relations must not form a cycle"):
            table(relations=relations)

    def test_a_relation_to_itself(self) -> None:
        with pytest.raises(PolicyError, match="of must name another rating"):
            PayoutRelation(rating="HTT", of="HTT", at_most=1)

    def test_repeated_ratings(self) -> None:
        rates = [PayoutRate(rating="HTT", coefficient=1), PayoutRate(rating="HTT", coefficient=2)]
        with pytest.raises(PolicyError, match=r"ratings must be unique \(repeated: \['HTT'\]\)"):
            table(rates=rates)

    def test_no_rates(self) -> None:
        with pytest.raises(PolicyError, match="rates must list at least one rating"):
            table(rates=[])

    def test_a_floor_above_the_cap(self) -> None:
        with pytest.raises(PolicyError) as caught:
            PayoutRate(rating="HTT", coefficient=1, floor=10, cap=5)
        assert "payout rate 'HTT': floor must be <= cap (got floor 10, cap 5)" == str(caught.value)

    def test_every_problem_is_reported_at_once(self) -> None:
        with pytest.raises(PolicyValidationError) as caught:
            PayoutRate(rating="HTT", coefficient=-1, floor="x")
        assert 2 == len(caught.value.exceptions)

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"precision": "0.3"}, "precision must be a positive power of ten"),
            ({"rounding": "HALF_UP"}, "rounding must be a decimal rounding mode name"),
            ({"rated_per": "week"}, "rated_per must be one of"),
            (
                {"valid_from": date(2026, 2, 1), "valid_to": date(2026, 1, 1)},
                "valid_from must be <= valid_to",
            ),
            ({"valid_from": "2026-13-01"}, "valid_from must be a date"),
            ({"rates": [1]}, "rates must be a sequence of PayoutRate"),
        ],
        ids=["precision", "rounding", "rated-per", "validity", "bad-date", "rate-type"],
    )
    def test_bad_fields(self, changes: dict[str, Any], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            table(**changes)

    def test_a_bad_note_status(self) -> None:
        with pytest.raises(PolicyError, match="status must be one of 'sure', 'likely'"):
            TableNote(about="x", status="guess", text="t")  # type: ignore[arg-type]

    def test_check_period(self) -> None:
        DANANG.check_period(Period.quarter(2026, 4))
        with pytest.raises(PeriodError) as caught:
            DANANG.check_period(Period.month(2027, 1))
        assert (
            "payout table 'danang-2026': period 2027-01 ends after the table's valid_to 2026-12-31"
        ) == str(caught.value)
        with pytest.raises(PeriodError, match="starts before the table was in force"):
            HCM.check_period(Period.year(2024))


class TestBundled:
    def test_available(self) -> None:
        assert ("danang-2026", "hcm-2024") == available()

    def test_an_unknown_id(self) -> None:
        with pytest.raises(UnknownPolicyError) as caught:
            load("hanoi-2025")
        assert (
            "no bundled payout table 'hanoi-2025'; expected one of ['danang-2026', 'hcm-2024']"
        ) == str(caught.value)

    @pytest.mark.parametrize("table_id", ["danang-2026", "hcm-2024"])
    def test_every_rate_cites_its_source(self, table_id: str) -> None:
        bundled = load(table_id)
        assert bundled.reference
        assert all(rate.reference for rate in bundled.rates)
        assert all(relation.reference for relation in bundled.relations)
        assert bundled.local_choices

    @pytest.mark.parametrize("table_id", ["danang-2026", "hcm-2024"])
    def test_to_dict_round_trips(self, table_id: str) -> None:
        bundled = load(table_id)
        assert bundled == PayoutTable.from_dict(bundled.to_dict())

    def test_source_keeps_the_comments(self) -> None:
        assert source("danang-2026").startswith("# Đà Nẵng")

    def test_read_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "mine.toml"
        path.write_text(source("danang-2026").replace("0.5", "0.6"), encoding="utf-8")
        assert Decimal("4212000") == read(path).amount("HTXS", 7_020_000)

    def test_read_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileFormatError, match=r"none\.toml: no such file"):
            read(tmp_path / "none.toml")


class TestTableFiles:
    BASE = 'id = "mine"\nname = "Mine"\n'

    @pytest.mark.parametrize(
        ("text", "message", "path"),
        [
            (
                BASE + 'colour = "red"\n[[rates]]\nrating = "HTT"\ncoefficient = 1\n',
                "mine.toml: colour: unknown key 'colour' in a payout table; expected one of",
                "mine.toml:colour",
            ),
            (
                BASE + '[[rates]]\nrating = "HTT"\ncoefficient = 1\nfloors = 3\n',
                "mine.toml: rates.0.floors: unknown key 'floors' in a rate",
                "mine.toml:rates.0.floors",
            ),
            (
                BASE + '[[rates]]\nrating = "HTT"\n',
                "mine.toml: rates.0.coefficient: a rate needs the key 'coefficient'",
                "mine.toml:rates.0.coefficient",
            ),
            (
                BASE + '[[rates]]\nrating = "HTT"\ncoefficient = -1\n',
                "mine.toml: rates.0: payout rate 'HTT': coefficient must be >= 0",
                "mine.toml:rates.0",
            ),
            (
                'id = "mine"\n[[rates]]\nrating = "HTT"\ncoefficient = 1\n',
                "mine.toml: name: a payout table needs the key 'name'",
                "mine.toml:name",
            ),
            (BASE + "rates = 3\n", "mine.toml: rates: must be a list", "mine.toml:rates"),
            ("id = ", "mine.toml: invalid TOML", "mine.toml"),
        ],
        ids=[
            "unknown-key",
            "unknown-rate-key",
            "missing-rate-key",
            "bad-value",
            "missing-name",
            "rates-not-a-list",
            "invalid-toml",
        ],
    )
    def test_problems_are_located(self, text: str, message: str, path: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse(text, name="mine.toml")
        assert str(caught.value).startswith(message)
        assert path == caught.value.path

    def test_decimals_are_exact(self) -> None:
        mine = parse(self.BASE + '[[rates]]\nrating = "HTT"\ncoefficient = 0.1\n')
        assert Decimal("0.1") == mine.rates[0].coefficient


def scores(period: str = "2026-03", people: list[str] | None = None) -> ScoreTable:
    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
            )
        ],
        bands=[
            Band(id="HTXS", min_points=90, name="Xuất sắc"),
            Band(id="HTT", min_points=70, name="Tốt"),
            Band(id="HT", min_points=50, name="Hoàn thành"),
            Band(id="KHT", min_points=0, name="Không hoàn thành"),
        ],
    )
    points = {"a": 95, "b": 75, "c": 55, "d": 10}
    chosen = people or list(points)
    return score_many(
        policy,
        period,
        [Person(id=s, unit="U") for s in chosen],
        measures=[Measure(subject=s, criterion="x", value=points[s]) for s in chosen],
    )


SALARIES: dict[str, Any] = {"a": 7_020_000, "b": 4_000_000, "c": "4680000", "d": 7_020_000}


class TestPayoutRows:
    def test_rows_extend_the_table_rows(self) -> None:
        rows = payout_rows(scores(), DANANG, SALARIES)
        assert ["a", "b", "c", "d"] == [row["subject"] for row in rows]
        assert [Decimal(v) for v in ("3510000", "1500000", "500000", "0")] == [
            row["payout"] for row in rows
        ]
        first = rows[0]
        assert (Decimal("7020000"), "danang-2026", 1, "U", Decimal("95.00")) == (
            first["salary"],
            first["payout_table"],
            first["payout_months"],
            first["unit"],
            first["total"],
        )
        assert ["salary", "days_worked", "days_in_period", "payout_table"] == list(first)[-6:-2]

    def test_a_bundled_id_is_accepted(self) -> None:
        assert payout_rows(scores(), "danang-2026", SALARIES) == payout_rows(
            scores(), DANANG, SALARIES
        )

    def test_a_salary_with_days_worked(self) -> None:
        salaries = {**SALARIES, "a": Salary(amount=7_020_000, days_worked=11, days_in_period=22)}
        rows = payout_rows(scores(), DANANG, salaries)
        assert (Decimal("1755000"), Decimal("11")) == (rows[0]["payout"], rows[0]["days_worked"])

    def test_a_quarter_table_pays_three_months(self) -> None:
        rows = payout_rows(scores("2026-Q1"), HCM, SALARIES)
        assert (3, Decimal(3 * 12_636_000)) == (rows[0]["payout_months"], rows[0]["payout"])

    def test_a_monthly_table_refuses_a_quarter(self) -> None:
        with pytest.raises(PeriodError) as caught:
            payout_rows(scores("2026-Q1"), DANANG, SALARIES)
        assert (
            "payout table 'danang-2026' pays on a month's rating; period 2026-Q1 is not one"
            " calendar month (score each month, or use PayoutTable.amount_for_months)"
        ) == str(caught.value)

    def test_explicit_months_override_the_check(self) -> None:
        rows = payout_rows(scores("2026-Q1"), DANANG, SALARIES, months=3)
        assert Decimal(3 * 3_510_000) == rows[0]["payout"]

    def test_a_period_outside_the_table_validity(self) -> None:
        with pytest.raises(PeriodError, match="ends after the table's valid_to 2026-12-31"):
            payout_rows(scores("2027-01"), DANANG, SALARIES)

    def test_a_part_month_period_is_refused(self) -> None:
        with pytest.raises(PeriodError, match="is not made of whole calendar months"):
            payout_rows(scores("2026-03-01/2026-03-15"), DANANG, SALARIES)

    def test_a_missing_salary(self) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            payout_rows(scores(), DANANG, {"a": 1, "b": 1, "c": 1})
        assert "salaries: no salary for 'd'; expected one for everyone paid" == str(caught.value)

    def test_every_missing_salary_is_named_at_once(self) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            payout_rows(scores(), DANANG, {"a": 1})
        assert (
            "salaries: no salary for 'b', 'c', 'd' (3 people); expected one for everyone paid"
        ) == str(caught.value)

    def test_a_salary_for_someone_not_scored(self) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            payout_rows(scores(people=["a"]), DANANG, {"a": 1, "zz": 1})
        assert (
            "salaries: ['zz'] are not among the results paid; expected salaries only for the"
            " people scored"
        ) == str(caught.value)

    def test_a_bad_salary_value(self) -> None:
        with pytest.raises(InputError, match="the salary of 'a' must be a number or a Salary"):
            payout_rows(scores(people=["a"]), DANANG, {"a": [1]})  # type: ignore[dict-item]

    def test_roll_up_results_give_plain_rows(self) -> None:
        @attrs.frozen(kw_only=True)
        class YearResult:
            subject: str
            person: Person
            period: Period
            total: Decimal
            rating: str

        results = [
            YearResult(
                subject="a",
                person=Person(id="a", unit="U"),
                period=Period.year(2026),
                total=Decimal("91.50"),
                rating="HTXS",
            )
        ]
        rows = payout_rows(results, HCM, {"a": 7_020_000}, months=12)
        assert {
            "subject": "a",
            "name": None,
            "unit": "U",
            "group": None,
            "position": None,
            "period": "2026",
            "total": Decimal("91.50"),
            "rating": "HTXS",
            "salary": Decimal("7020000"),
            "days_worked": None,
            "days_in_period": None,
            "payout_table": "hcm-2024",
            "payout_months": 12,
            "payout": Decimal(12 * 12_636_000),
        } == rows[0]

    def test_an_empty_table_gives_no_rows(self) -> None:
        empty = attrs.evolve(scores(), scorecards=())
        assert [] == payout_rows(empty, DANANG, {})

    def test_a_result_without_a_rating_is_an_error(self) -> None:
        @attrs.frozen(kw_only=True)
        class Unrated:
            subject: str
            person: Person
            period: Period
            total: Decimal
            rating: str | None
            unrated: str

        result = Unrated(
            subject="a",
            person=Person(id="a"),
            period=Period.year(2026),
            total=Decimal(0),
            rating=None,
            unrated="worked 3 of 12 months, less than the policy's minimum",
        )
        with pytest.raises(InputError) as caught:
            payout_rows([result], HCM, {"a": 1}, months=12)
        assert (
            "payout: 'a' has no rating (worked 3 of 12 months, less than the policy's minimum);"
            " payout table 'hcm-2024' pays on one of ['HTXS', 'HTT', 'HT', 'KHT']"
        ) == str(caught.value)

    def test_a_bad_table(self) -> None:
        with pytest.raises(InputError, match="table must be a PayoutTable or a bundled id"):
            payout_rows(scores(), 3, SALARIES)  # type: ignore[arg-type]


class TestSalaryFiles:
    def test_parse(self) -> None:
        text = (
            "subject,name,salary,days_worked,days_in_period\n"
            "nv001,An,7020000,,\n"
            "nv002,Bình,4000000,11,22\n"
        )
        salaries = parse_salaries(text)
        assert {
            "nv001": Salary(amount=7_020_000),
            "nv002": Salary(amount=4_000_000, days_worked=11, days_in_period=22),
        } == salaries

    def test_read_a_file_with_a_bom(self, tmp_path: Path) -> None:
        path = tmp_path / "salaries.csv"
        path.write_text("\ufeffsubject,salary\nnv001,7020000\n", encoding="utf-8")
        assert Decimal("7020000") == read_salaries(path)["nv001"].amount

    def test_read_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileFormatError, match="cannot read the salary file"):
            read_salaries(tmp_path / "none.csv")

    @pytest.mark.parametrize(
        ("text", "message", "path"),
        [
            ("", "s.csv: the salary file is empty; expected a header row", "s.csv"),
            ("subject,wage\n", "s.csv: line 1: unknown column 'wage'; expected subject", "s.csv:1"),
            ("subject,unit\n", "s.csv: line 1: the column 'salary' is missing", "s.csv:1"),
            (
                "subject,salary\nnv001,\n",
                "s.csv: line 2: salary: empty; expected a number of đồng",
                "s.csv:2:salary",
            ),
            (
                "subject,salary\nnv001,7tr\n",
                "s.csv: line 2: salary: expected a number (got '7tr')",
                "s.csv:2:salary",
            ),
            (
                "subject,salary\nnv001,1\nnv001,2\n",
                "s.csv: line 3: subject 'nv001' already given on line 2",
                "s.csv:3:subject",
            ),
            (
                "subject,salary\n,1\n",
                "s.csv: line 2: subject: empty; expected a person id",
                "s.csv:2:subject",
            ),
            (
                "subject,salary,days_worked\nnv001,1,3\n",
                "s.csv: line 2: salary: days_worked and days_in_period go together",
                "s.csv:2",
            ),
            (
                "subject,salary\nnv001,-5\n",
                "s.csv: line 2: salary: amount must be >= 0",
                "s.csv:2",
            ),
            ("subject,salary\nnv001,1,2\n", "s.csv: line 2: more cells than columns", "s.csv:2"),
        ],
        ids=[
            "empty",
            "unknown-column",
            "missing-column",
            "empty-salary",
            "not-a-number",
            "repeated-subject",
            "empty-subject",
            "days-alone",
            "negative",
            "extra-cells",
        ],
    )
    def test_problems_are_located(self, text: str, message: str, path: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_salaries(text, name="s.csv")
        assert str(caught.value).startswith(message)
        assert path == caught.value.path


class TestSalaryFilesAreReadCarefully:
    """The salary reader has the fact readers' limits and strictness (issue 19, finding 3)."""

    def test_a_repeated_salary_column_is_an_error_not_the_last_value(self) -> None:
        with pytest.raises(FileFormatError, match="column 'salary' appears twice") as caught:
            parse_salaries("subject,salary,salary\nnv001,25000000,2500000\n", name="s.csv")
        assert caught.value.path == "s.csv:1:salary"

    def test_any_repeated_column_is_an_error(self) -> None:
        with pytest.raises(FileFormatError, match="column 'note' appears twice"):
            parse_salaries("subject,salary,note,note\nnv001,1,a,b\n", name="s.csv")

    def test_an_endless_file_is_refused_by_size(self) -> None:
        if not Path("/dev/zero").exists():  # pragma: no cover - every POSIX system has it
            pytest.skip("no /dev/zero")
        with pytest.raises(FileFormatError, match="too big to read"):
            read_salaries("/dev/zero")

    def test_a_cell_over_the_csv_field_limit_is_a_file_format_error(self) -> None:
        with pytest.raises(FileFormatError, match="line 2: invalid CSV: field larger"):
            parse_salaries("subject,salary\nnv001," + "1" * 200_000 + "\n", name="s.csv")

    def test_text_after_a_closing_quote_is_refused(self) -> None:
        with pytest.raises(FileFormatError, match="line 2: invalid CSV"):
            parse_salaries('subject,salary\n"nv001"x,1\n', name="s.csv")

    def test_ids_are_nfc_normalised(self) -> None:
        decomposed = "nv\u0041\u0301"  # A + combining acute
        salaries = parse_salaries(f"subject,salary\n{decomposed},1\n", name="s.csv")
        assert list(salaries) == ["nv\u00c1"]

    def test_every_problem_is_reported_at_once(self) -> None:
        text = "subject,salary\nnv001,abc\n,5\nnv003,-1\nnv003,2\nnv005,1,2\n"
        with pytest.raises(FileFormatErrorGroup) as caught:
            parse_salaries(text, name="s.csv")
        paths = [problem.path for problem in caught.value.exceptions]
        assert paths == [
            "s.csv:2:salary",
            "s.csv:3:subject",
            "s.csv:4",
            "s.csv:5:subject",
            "s.csv:6",
        ]

    def test_a_flood_of_problems_is_capped(self) -> None:
        text = "subject,salary\n" + "".join(f"nv{i},x\n" for i in range(500))
        with pytest.raises(FileFormatErrorGroup, match=r"500 problems .*and 400 more") as caught:
            parse_salaries(text, name="s.csv")
        assert len(caught.value.exceptions) == 100
