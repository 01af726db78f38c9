"""Policy compilation: what the engines need from a policy, computed once per policy object.

:func:`compile_policy` returns the :class:`_Compiled` form of a policy, cached per policy *object*
(policies are frozen, so the compiled form never goes stale): scoring one person repeatedly
stops paying for recompilation. All arithmetic runs inside :func:`kpiscore.model.numbers.exact`,
whatever the caller's decimal context.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Final

from kpiscore.model.numbers import exact, quantize
from kpiscore.model.policy import Criterion, Policy
from kpiscore.results.scorecard import BandInfo

__all__ = ["clear_cache", "compile_policy"]

_ZERO = Decimal(0)


class _Cache:
    """Compiled policies by ``id(policy)``, each with a weak reference to its policy.

    Keyed by identity, not by value: hashing a frozen policy walks all of it, which would cost
    as much as compiling it. An entry goes when its policy does. A cache of pure values (like
    :func:`functools.lru_cache`), not state: a hit and a miss give equal compiled forms. No lock:
    single dict operations are atomic, a race at worst compiles a policy twice, and the weak
    reference's callback may run during any allocation (a lock there could deadlock).
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Policy], _Compiled]] = {}

    def get(self, policy: Policy) -> _Compiled:
        key = id(policy)
        entry = self._entries.get(key)
        if entry is not None and entry[0]() is policy:
            return entry[1]
        result = _Compiled(policy)
        self._entries[key] = (weakref.ref(policy, self._forgetter(key)), result)
        return result

    def _forgetter(self, key: int) -> Callable[[weakref.ref[Policy]], None]:
        entries = self._entries

        def forget(ref: weakref.ref[Policy]) -> None:
            entry = entries.get(key)
            if entry is not None and entry[0] is ref:
                entries.pop(key, None)

        return forget

    def clear(self) -> None:
        self._entries.clear()


_CACHE: Final = _Cache()


def compile_policy(policy: Policy) -> _Compiled:
    """The compiled form of ``policy``, built on first use and kept while the policy lives.

    >>> from kpiscore import Policy, Category, Criterion
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> compile_policy(policy) is compile_policy(policy)
    True
    """
    return _CACHE.get(policy)


def clear_cache() -> None:
    """Forget every compiled policy (for benchmarks and tests)."""
    _CACHE.clear()


class _Compiled:
    """What the engines need from a policy, computed once per policy (see :func:`compile_policy`).

    Besides lookups for the ledger, it prepares the fast path: which rules each event kind
    feeds, each criterion's untouched points, and each category's figure for untouched
    criteria, so scoring one person costs work in proportion to their facts, not to the size
    of the policy.
    """

    def __init__(self, policy: Policy) -> None:
        # All arithmetic here (untouched sums, the zero figure) runs in the private context,
        # whoever constructs this: the caller's decimal context must never change a score.
        with exact():
            self._compile(policy)

    def _compile(self, policy: Policy) -> None:
        self.policy = policy
        self.criteria: dict[str, Criterion] = {
            criterion.id: criterion
            for category in policy.categories
            for criterion in category.criteria
        }
        self.bands = tuple(
            BandInfo(id=b.id, name=b.name, name_en=b.name_en, min_points=b.min_points)
            for b in policy.bands_descending
        )
        self.band_rank = {band.id: rank for rank, band in enumerate(self.bands)}
        self.max_total = policy.max_total
        self.fingerprint = policy.fingerprint
        self.precision = policy.precision
        self.rounding = policy.rounding
        self.zero = quantize(_ZERO, policy.precision, policy.rounding)
        self.category_ids = tuple(category.id for category in policy.categories)
        # kind -> ((criterion index, rule index, sign, points, per unit), ...)
        feeds: dict[str, list[tuple[int, int, int, Decimal, bool]]] = {}
        self.rule_limits: list[Decimal | None] = []
        self.rule_sign: list[int] = []
        self.rule_criterion: list[int] = []
        # Per criterion: (category index, basis, max, floor, carry, untouched points, coefficient)
        self.crit: list[tuple[int, str, Decimal, Decimal, bool, Decimal, Fraction]] = []
        self.measured: list[tuple[int, Criterion]] = []
        self.cap_rank: dict[str, int] = {}
        for cap in policy.caps:
            rank = self.band_rank[cap.at_most]
            self.cap_rank[cap.on] = max(rank, self.cap_rank.get(cap.on, -1))
        # Per category: common denominator, untouched sum (Σ or Σ coeff × points)
        self.cat_denominator: list[int] = []
        self.cat_base: list[Decimal] = []
        for cat_index, category in enumerate(policy.categories):
            weighted = category.weighted
            coefficients: list[Fraction] = []
            if weighted:
                weight_sum = sum(
                    (Fraction(category.weight(c.id)) for c in category.criteria), Fraction(0)
                )
                for criterion in category.criteria:
                    coefficients.append(
                        Fraction(category.max_total)
                        * Fraction(category.weight(criterion.id))
                        / (Fraction(criterion.max_points) * weight_sum)
                    )
                denominator = math.lcm(*(c.denominator for c in coefficients))
            else:
                coefficients = [Fraction(1)] * len(category.criteria)
                denominator = 1
            base = _ZERO
            for criterion, coefficient in zip(category.criteria, coefficients, strict=True):
                index = len(self.crit)
                start = criterion.max_points if criterion.basis == "full" else _ZERO
                untouched = min(max(start, criterion.floor), criterion.max_points)
                scaled = coefficient * denominator
                self.crit.append(
                    (
                        cat_index,
                        criterion.basis,
                        criterion.max_points,
                        criterion.floor,
                        criterion.overflow == "carry",
                        untouched,
                        scaled,
                    )
                )
                if criterion.needs_measure:
                    self.measured.append((index, criterion))
                else:
                    base += untouched * scaled.numerator
                for rule in criterion.rules:
                    rule_index = len(self.rule_limits)
                    self.rule_limits.append(rule.limit)
                    self.rule_sign.append(rule.sign)
                    self.rule_criterion.append(index)
                    feeds.setdefault(rule.on, []).append(
                        (index, rule_index, rule.sign, rule.points, rule.per == "unit")
                    )
            self.cat_denominator.append(denominator)
            self.cat_base.append(base)
        self.feeds = {kind: tuple(value) for kind, value in feeds.items()}
        # One lookup per event: kind -> (rules it feeds as (rule, points, per unit), cap rank).
        self.kind_index: dict[str, tuple[tuple[tuple[int, Decimal, bool], ...], int]] = {}
        for kind in {*self.feeds, *self.cap_rank}:
            rules = tuple((r, points, unit) for _, r, _, points, unit in self.feeds.get(kind, ()))
            self.kind_index[kind] = (rules, self.cap_rank.get(kind, -1))
        # rule index -> (limit, criterion index, is a deduction)
        self.rule_info = tuple(
            (limit, owner, sign < 0)
            for limit, owner, sign in zip(
                self.rule_limits, self.rule_criterion, self.rule_sign, strict=True
            )
        )
        # Per criterion: (category, full basis?, max, floor, carry, untouched, multiplier).
        self.crit_info = tuple(
            (cat, basis == "full", maximum, floor, carry, untouched, int(scaled))
            for cat, basis, maximum, floor, carry, untouched, scaled in self.crit
        )
        # Per measured criterion: (index, id, ratio?, max, floor, category, multiplier).
        self.measured_info = tuple(
            (
                index,
                criterion.id,
                criterion.basis == "ratio",
                criterion.max_points,
                criterion.floor,
                self.crit[index][0],
                int(self.crit[index][6]),
                criterion,
            )
            for index, criterion in self.measured
        )
        self.thresholds = tuple((band.min_points, band.id) for band in self.bands)
        self.missing = policy.missing
