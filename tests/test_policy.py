"""The policy model: validation at construction, every problem at once, fingerprints, trees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from kpiscore import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    KpiscoreError,
    Policy,
    PolicyError,
    PolicyValidationError,
    RatingCap,
)


def criterion(cid: str = "training", **kwargs: object) -> Criterion:
    fields: dict[str, object] = {"id": cid, "name": cid.title(), "max_points": 15}
    fields.update(kwargs)
    return Criterion(**fields)  # type: ignore[arg-type]


def category(cid: str = "soft", criteria: list[Criterion] | None = None, **kw: object) -> Category:
    return Category(id=cid, name=cid.title(), criteria=criteria or [criterion()], **kw)  # type: ignore[arg-type]


def bands() -> list[Band]:
    return [
        Band(id="HTXS", min_points=90, name="Xuất sắc"),
        Band(id="HTT", min_points=70, name="Tốt"),
        Band(id="HT", min_points=50, name="Hoàn thành"),
        Band(id="KHT", min_points=0, name="Không hoàn thành"),
    ]


class TestRules:
    def test_id_defaults_to_on(self) -> None:
        assert "training_absence" == Deduction(on="training_absence", points=2).id

    def test_points_convert_losslessly(self) -> None:
        assert (Decimal("2.5"), Decimal("0.1")) == (
            Deduction(on="x", points=2.5).points,
            Award(on="y", points="0.1").points,
        )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            pytest.param(
                {"points": float("nan")},
                "deduction 'x': points must be a finite number (int, str, Decimal or float)"
                " (got nan)",
                id="nan",
            ),
            pytest.param(
                {"points": -2},
                "deduction 'x': points must be >= 0 (got Decimal('-2'))",
                id="negative",
            ),
            pytest.param(
                {"points": True},
                "deduction 'x': points must be a finite number (int, str, Decimal or float),"
                " not a bool (got True)",
                id="bool",
            ),
            pytest.param(
                {"points": 2, "per": "day"},
                "deduction 'x': per must be one of 'occurrence', 'unit' (got 'day')",
                id="per",
            ),
            pytest.param(
                {"points": 2, "limit": "-1"},
                "deduction 'x': limit must be >= 0 (got Decimal('-1'))",
                id="limit",
            ),
        ],
    )
    def test_invalid_rule(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(PolicyError) as caught:
            Deduction(on="x", **kwargs)  # type: ignore[arg-type]

        assert message == str(caught.value)


class TestCriterion:
    def test_negative_maximum(self) -> None:
        with pytest.raises(PolicyError) as caught:
            criterion(max_points=-15)

        assert "criterion 'training': max_points must be >= 0 (got Decimal('-15'))" == str(
            caught.value
        )

    def test_floor_above_maximum(self) -> None:
        with pytest.raises(PolicyError, match=r"floor must be <= max_points \(15\)"):
            criterion(floor=16)

    def test_unknown_basis(self) -> None:
        with pytest.raises(PolicyError, match="basis must be one of 'full', 'zero'"):
            criterion(basis="percent")

    def test_duplicate_rule_ids(self) -> None:
        with pytest.raises(PolicyError, match="rule id 'late' is used twice"):
            criterion(deductions=[Deduction(on="late", points=1), Deduction(on="late", points=2)])

    def test_duplicate_rule_ids_made_distinct_by_explicit_id(self) -> None:
        made = criterion(
            deductions=[
                Deduction(on="late", points=1),
                Deduction(on="late", points=2, id="late_twice"),
            ]
        )
        assert ("late", "late_twice") == tuple(rule.id for rule in made.rules)

    def test_ratio_cap_only_for_ratios(self) -> None:
        with pytest.raises(PolicyError, match="ratio_cap applies only to basis 'ratio'"):
            criterion(ratio_cap=True)

    def test_several_problems_at_once(self) -> None:
        with pytest.raises(PolicyValidationError) as caught:
            criterion(max_points=-1, basis="nope", overflow="spill")

        assert 3 == len(caught.value.exceptions)
        assert isinstance(caught.value, KpiscoreError)
        assert isinstance(caught.value, ValueError)

    def test_rules_must_be_rules(self) -> None:
        with pytest.raises(PolicyError, match="deductions must be a sequence of Deduction"):
            criterion(deductions=[Award(on="x", points=1)])

    def test_lists_become_tuples(self) -> None:
        made = criterion(deductions=[Deduction(on="late", points=1)])
        assert isinstance(made.deductions, tuple)


class TestCategory:
    def test_default_maximum_is_the_sum(self) -> None:
        made = category(criteria=[criterion("a"), criterion("b", max_points=5)])
        assert Decimal(20) == made.max_total

    def test_weights_must_cover_every_criterion(self) -> None:
        with pytest.raises(PolicyError, match="must give a weight for every criterion"):
            category(criteria=[criterion("a"), criterion("b")], weights={"a": 1})

    def test_weights_must_name_criteria(self) -> None:
        with pytest.raises(PolicyError) as caught:
            category(criteria=[criterion("a")], weights={"a": 1, "z": 1})

        assert "weights name criterion 'z', which is not in the category" in str(caught.value)

    def test_weights_positive(self) -> None:
        with pytest.raises(PolicyError, match=r"weights\['a'\] must be > 0"):
            category(criteria=[criterion("a")], weights={"a": 0})

    def test_weights_are_read_only(self) -> None:
        made = category(criteria=[criterion("a")], weights={"a": 1})
        with pytest.raises(TypeError):
            made.weights["a"] = Decimal(2)  # type: ignore[index]

    def test_empty(self) -> None:
        with pytest.raises(PolicyError, match="criteria must not be empty"):
            Category(id="c", name="C", criteria=[])

    def test_zero_maximum_in_weighted_category(self) -> None:
        with pytest.raises(PolicyError, match="has max_points 0, which a weighted category"):
            category(criteria=[criterion("a", max_points=0)], max_points=10)


class TestPolicy:
    def test_duplicate_criterion_id(self) -> None:
        with pytest.raises(PolicyError) as caught:
            Policy(
                id="p",
                name="P",
                categories=[category("a"), category("b")],
            )

        assert "criterion id 'training' is used in more than one place" in str(caught.value)

    @pytest.mark.parametrize("cid", ["total", "name", "rating", "carried", "salary"])
    def test_a_category_may_not_take_a_score_table_column_s_name(self, cid: str) -> None:
        # Its points would be written in the same column as the total, the name, ...
        with pytest.raises(PolicyError) as caught:
            Policy(id="p", name="P", categories=[category(cid)])

        assert str(caught.value).startswith(
            f"policy 'p': category id {cid!r} names a column every score table has;"
        )
        assert f"categories.{cid}" == caught.value.path

    def test_reserved_names_cover_every_fixed_column_of_score_and_payout_rows(self) -> None:
        from kpiscore import score_many
        from kpiscore.model.policy import RESERVED_COLUMNS
        from kpiscore.payout import Salary, load, payout_rows

        policy = Policy(id="p", name="P", categories=[category()], bands=bands())
        table = score_many(policy, "2026-01", ["a"])
        rows = payout_rows(table, load("danang-2026"), {"a": Salary(amount=Decimal(5_000_000))})
        fixed = (set(table.to_rows()[0]) | set(rows[0])) - {"soft"}
        assert fixed <= RESERVED_COLUMNS

    def test_bands_with_equal_thresholds(self) -> None:
        with pytest.raises(PolicyError) as caught:
            Policy(
                id="p",
                name="P",
                categories=[category()],
                bands=[
                    Band(id="A", min_points=50, name="A"),
                    Band(id="B", min_points=50, name="B"),
                    Band(id="C", min_points=0, name="C"),
                ],
            )

        assert str(caught.value) == (
            "policy 'p': bands 'A' and 'B' have the same min_points 50; thresholds must be distinct"
        )

    def test_cap_naming_an_unknown_band(self) -> None:
        with pytest.raises(PolicyError) as caught:
            Policy(
                id="p",
                name="P",
                categories=[category()],
                bands=bands(),
                caps=[RatingCap(on="reprimand", at_most="FAIL")],
            )

        assert str(caught.value) == (
            "policy 'p': cap on 'reprimand': at_most names unknown band 'FAIL'; expected one of"
            " ['HTXS', 'HTT', 'HT', 'KHT']"
        )

    def test_lowest_band_starts_at_zero(self) -> None:
        with pytest.raises(PolicyError, match="the lowest band must start at 0"):
            Policy(
                id="p",
                name="P",
                categories=[category()],
                bands=[Band(id="A", min_points=50, name="A")],
            )

    def test_scale_must_match(self) -> None:
        with pytest.raises(PolicyError) as caught:
            Policy(id="p", name="P", categories=[category()], scale=100)

        assert "the categories' maxima must add up to scale 100 (got 15)" in str(caught.value)

    def test_validity_dates_in_order(self) -> None:
        with pytest.raises(PolicyError, match=r"valid_from .2026-12-31. must be on or before"):
            Policy(
                id="p",
                name="P",
                categories=[category()],
                valid_from=date(2026, 12, 31),
                valid_to=date(2026, 1, 1),
            )

    @pytest.mark.parametrize("precision", ["0.05", "0", "10", "-0.01", "1E-13"])
    def test_precision_is_a_power_of_ten(self, precision: str) -> None:
        with pytest.raises(PolicyError, match="precision must be a power of ten"):
            Policy(id="p", name="P", categories=[category()], precision=precision)

    @pytest.mark.parametrize("precision", ["1", "0.1", "0.01", "0.010", "1E-12"])
    def test_valid_precisions(self, precision: str) -> None:
        made = Policy(id="p", name="P", categories=[category()], precision=precision)
        assert Decimal(precision) == made.precision

    def test_rounding_must_be_a_decimal_constant(self) -> None:
        with pytest.raises(PolicyError, match="rounding must be one of"):
            Policy(id="p", name="P", categories=[category()], rounding="HALF_UP")

    def test_every_problem_is_reported_at_once(self) -> None:
        with pytest.raises(PolicyValidationError) as caught:
            Policy(
                id="p",
                name="P",
                categories=[category("a"), category("b")],
                bands=[
                    Band(id="A", min_points=50, name="A"),
                    Band(id="B", min_points=50, name="B"),
                ],
                caps=[RatingCap(on="reprimand", at_most="FAIL")],
                missing="ignore",
            )

        text = str(caught.value)
        assert 5 == len(caught.value.exceptions)
        for fragment in (
            "criterion id 'training'",
            "same min_points 50",
            "lowest band must start at 0",
            "unknown band 'FAIL'",
            "missing must be one of",
        ):
            assert fragment in text

    def test_validity_dates_accept_iso_text(self) -> None:
        made = Policy(id="p", name="P", categories=[category()], valid_from="2026-01-01")  # type: ignore[arg-type]
        assert date(2026, 1, 1) == made.valid_from


class TestFingerprint:
    def test_equal_policies_have_equal_prints(self) -> None:
        one = Policy(
            id="p", name="P", categories=[category(criteria=[criterion(max_points="15.0")])]
        )
        two = Policy(id="p", name="P", categories=[category(criteria=[criterion(max_points=15)])])

        assert one == two
        assert one.fingerprint == two.fingerprint

    def test_any_change_changes_the_print(self) -> None:
        one = Policy(id="p", name="P", categories=[category()])
        two = Policy(id="p", name="P", categories=[category()], rounding="ROUND_HALF_EVEN")

        assert one.fingerprint != two.fingerprint

    def test_nfc_and_nfd_text_print_alike(self) -> None:
        composed = "Tiêu chí chung"
        decomposed = "Tie\u0302u chi\u0301 chung"
        one = Policy(id="p", name=composed, categories=[category()])
        two = Policy(id="p", name=decomposed, categories=[category()])

        assert one.fingerprint == two.fingerprint


class TestTree:
    @pytest.mark.parametrize(
        ("keys", "cls"),
        [
            ("_POLICY_KEYS", Policy),
            ("_RULE_KEYS", Deduction),
            ("_RULE_KEYS", Award),
            ("_CRITERION_KEYS", Criterion),
            ("_CATEGORY_KEYS", Category),
            ("_BAND_KEYS", Band),
            ("_CAP_KEYS", RatingCap),
        ],
    )
    def test_a_policy_file_takes_every_field_and_nothing_else(self, keys: str, cls: type) -> None:
        from kpiscore.model import tree

        assert {field.name for field in attrs.fields(cls)} == getattr(tree, keys)

    def full_policy(self) -> Policy:
        return Policy(
            id="full",
            name="Full",
            version="2",
            scale=100,
            valid_from=date(2026, 1, 1),
            categories=[
                Category(
                    id="general",
                    name="Tiêu chí chung",
                    criteria=[
                        criterion(
                            "training",
                            max_points=30,
                            overflow="carry",
                            deductions=[Deduction(on="training_absence", points=2, limit=10)],
                            awards=[Award(on="initiative", points=1, per="unit")],
                        )
                    ],
                ),
                Category(
                    id="task",
                    name="Task",
                    max_points=70,
                    weights={"quantity": 1, "quality": 2},
                    criteria=[
                        criterion("quantity", max_points=100, basis="ratio", ratio_cap=True),
                        criterion("quality", max_points=100, basis="ratio"),
                    ],
                ),
            ],
            bands=bands(),
            caps=[RatingCap(on="reprimand", at_most="KHT", reference="Decree 335")],
        )

    def test_round_trip(self) -> None:
        original = self.full_policy()
        again = Policy.from_dict(original.to_dict())

        assert original == again
        assert original.fingerprint == again.fingerprint

    def test_unknown_key_names_its_path(self) -> None:
        tree = self.full_policy().to_dict()
        tree["categories"][0]["criteria"][0]["maxpoints"] = "3"

        with pytest.raises(PolicyError) as caught:
            Policy.from_dict(tree)

        assert caught.value.path == "categories.general.criteria.training.maxpoints"
        assert "unknown key 'maxpoints'" in str(caught.value)

    def test_every_problem_in_a_tree_at_once(self) -> None:
        tree = self.full_policy().to_dict()
        tree["bogus"] = 1
        tree["categories"][1]["criteria"][0]["basis"] = "percent"

        with pytest.raises(PolicyValidationError) as caught:
            Policy.from_dict(tree)

        assert 2 == len(caught.value.exceptions)


class TestPrecisionAgainstLimits:
    def test_a_maximum_finer_than_the_precision_is_refused(self) -> None:
        with pytest.raises(PolicyError) as caught:
            Policy(
                id="p",
                name="P",
                precision="1",
                categories=[category(criteria=[criterion(max_points="1.5")])],
            )

        assert (
            "category 'soft': max_points 1.5 is not a multiple of the policy's precision 1"
            in str(caught.value)
        )


class TestManyProblems:
    """Huge broken policies give bounded messages, found in linear time (issue 19 #9)."""

    def test_the_listed_problems_are_capped(self) -> None:
        criteria = [Criterion(id=f"x{i % 150}", name="X", max_points=1) for i in range(300)]
        with pytest.raises(PolicyValidationError) as caught:
            Category(id="c", name="C", criteria=criteria)
        assert 100 == len(caught.value.exceptions)
        first = str(caught.value).splitlines()[0]
        assert "category 'c': 150 problems (the first 100 listed, … and 50 more)" == first
        assert "criterion id 'x99' is used twice" in str(caught.value).splitlines()[-1]

    def test_duplicates_are_each_reported_once_in_order(self) -> None:
        from kpiscore.model.rules import _duplicates

        assert ["b", "a"] == _duplicates(["a", "b", "b", "a", "b", "c", "a"])
        assert ["x"] == _duplicates(["x"] * 114_000)

    def test_suggested_ids_are_capped(self) -> None:
        criteria = [Criterion(id=f"x{i:02d}", name="X", max_points=1) for i in range(30)]
        policy = Policy(
            id="p", name="P", categories=[Category(id="c", name="C", criteria=criteria)]
        )
        with pytest.raises(KpiscoreError) as caught:
            policy.criterion("nope")
        assert str(caught.value).endswith("'x17', 'x18', 'x19'] (and 10 more)")
