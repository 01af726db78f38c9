"""Results read back from JSON: the files ``kpiscore score --format json`` and the step
commands write, so ``kpiscore rollup``, ``quota`` and ``payout`` can run one step at a time.

A scorecard read back keeps its figures, ratings, caps and adjustments; its criterion ledger
is not rebuilt (``categories`` is empty: explain it from the scoring run). The bands come from
the policy, found by id among the policies given (bundled ones by default) and checked against
the fingerprint recorded in the file.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from kpiscore.cycle.rollup import Rollup, RollupTable
from kpiscore.exceptions import FileFormatError, KpiscoreError
from kpiscore.io.load import parse_json_document, read_text_file
from kpiscore.model.facts import Event, Person
from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Adjustment, BandInfo, CapLine, Scorecard, ScoreTable

__all__ = ["read_results"]

#: The largest result file read.
MAX_RESULT_BYTES = 256 * 1024 * 1024


class _Policies:
    def __init__(self, given: Iterable[Policy], name: str) -> None:
        self.by_print = {policy.fingerprint: policy for policy in given}
        self.name = name

    def find(self, tree: Mapping[str, JsonValue], where: str) -> Policy:
        fingerprint = tree.get("fingerprint")
        policy_id = tree.get("policy_id")
        if isinstance(fingerprint, str) and fingerprint in self.by_print:
            return self.by_print[fingerprint]
        from kpiscore import policies

        if isinstance(policy_id, str) and policy_id in policies.available():
            bundled = policies.load(policy_id)
            if bundled.fingerprint == fingerprint:
                self.by_print[bundled.fingerprint] = bundled
                return bundled
        raise FileFormatError(
            f"{self.name}: {where}: scored under policy {policy_id!r} (fingerprint"
            f" {str(fingerprint)[:12]}), which is neither bundled nor given; pass it with"
            " --policy",
            path=f"{self.name}:{where}",
        )


def _text(value: JsonValue) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text (got {value!r})")  # reported as not a result file
    return value


def _maybe_text(value: JsonValue) -> str | None:
    return None if value is None else _text(value)


def _flag(value: JsonValue) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false (got {value!r})")  # likewise
    return value


def _count(value: JsonValue) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number (got {value!r})")  # likewise
    return value


def _decimal(value: JsonValue) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TypeError(f"expected a decimal number (got {value!r})")  # likewise
    return Decimal(value)


def _date(value: JsonValue) -> _dt.date:
    return _dt.date.fromisoformat(_text(value))


def _unit(value: JsonValue) -> Literal["months", "days"]:
    if value == "months":
        return "months"
    if value == "days":
        return "days"
    raise TypeError(f"expected 'months' or 'days' (got {value!r})")  # likewise


def _objects(value: JsonValue) -> list[JsonObject]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"expected a list of objects (got {value!r})")  # likewise
    return [item for item in value if isinstance(item, dict)]


def _object(value: JsonValue) -> JsonObject:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object (got {value!r})")  # likewise
    return value


def _bands(policy: Policy) -> tuple[BandInfo, ...]:
    return tuple(
        BandInfo(id=b.id, name=b.name, name_en=b.name_en, min_points=b.min_points)
        for b in policy.bands_descending
    )


def _event(subject: str, tree: JsonObject) -> Event:
    return Event(
        subject=subject,
        kind=_text(tree["kind"]),
        on=_date(tree["on"]),
        quantity=_decimal(tree["quantity"]),
        excused=_flag(tree["excused"]),
        **{key: _maybe_text(tree.get(key)) for key in ("ref", "note")},
    )


def _caps(subject: str, trees: JsonValue) -> tuple[CapLine, ...]:
    return tuple(
        CapLine(
            on=_text(tree["on"]),
            at_most=_text(tree["at_most"]),
            name=_maybe_text(tree.get("name")),
            reference=_maybe_text(tree.get("reference")),
            events=tuple(_event(subject, e) for e in _objects(tree["events"])),
            exempted=tuple(_event(subject, e) for e in _objects(tree["exempted"])),
            lowered=_flag(tree["lowered"]),
        )
        for tree in _objects(trees)
    )


def _adjustments(trees: JsonValue) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(
            kind=_text(tree["kind"]),
            reason=_text(tree["reason"]),
            **{key: _maybe_text(tree[key]) for key in ("from_rating", "to_rating")},
            **{key: _maybe_text(tree.get(key)) for key in ("reference", "reason_vi")},
        )
        for tree in _objects(trees)
    )


def _period(tree: JsonObject) -> Period:
    return Period(start=_date(tree["period_start"]), end=_date(tree["period_end"]))


def _person(tree: JsonValue) -> Person:
    person = _object(tree)
    attributes = _object(person.get("attributes", {}))
    return Person(
        id=_text(person["id"]),
        **{
            key: _maybe_text(value)
            for key, value in person.items()
            if key not in ("id", "attributes")
        },
        attributes={name: _text(value) for name, value in attributes.items()},
    )


def _common(tree: JsonObject, policy: Policy) -> dict[str, Any]:
    """The fields a scorecard and a roll-up share, read from the tree (each read by its type;
    the two classes take them as keywords)."""
    return {
        "subject": _text(tree["subject"]),
        "person": _person(tree["person"]),
        "period": _period(tree),
        "policy_id": _text(tree["policy_id"]),
        "policy_version": _text(tree["policy_version"]),
        "fingerprint": _text(tree["fingerprint"]),
        "precision": policy.precision,
        "rounding": policy.rounding,
        "total": _decimal(tree["total"]),
        "max_total": _decimal(tree["max_total"]),
        "rating": _maybe_text(tree["rating"]),
        "score_rating": _maybe_text(tree["score_rating"]),
    }


def _card(tree: JsonObject, policy: Policy) -> Scorecard:
    return Scorecard(
        **_common(tree, policy),
        category_points=tuple(
            (_text(category["id"]), _decimal(category["points"]))
            for category in _objects(tree["categories"])
        ),
        carried=_decimal(tree["carried"]),
        clamped=_decimal(tree["clamped"]),
        bands=_bands(policy),
        adjustments=_adjustments(tree["adjustments"]),
        min_worked_share=policy.min_worked_share,
        categories=(),
        caps=_caps(_text(tree["subject"]), tree["caps"]),
    )


def _rollup(tree: JsonObject, policies: _Policies, where: str) -> Rollup:
    policy = policies.find(tree, where)
    parts = tuple(
        _card(part, policies.find(part, f"{where}.parts[{i}]"))
        for i, part in enumerate(_objects(tree["parts"]))
    )
    share = tree["min_worked_share"]
    return Rollup(
        **_common(tree, policy),
        sum_of_totals=_decimal(tree["sum_of_totals"]),
        bands=_bands(policy),
        caps=_caps(_text(tree["subject"]), tree["caps"]),
        parts=parts,
        worked=_count(tree["worked"]),
        possible=_count(tree["possible"]),
        worked_unit=_unit(tree["worked_unit"]),
        min_worked_share=None if share is None else _decimal(share),
        unrated=_maybe_text(tree["unrated"]),
        adjustments=_adjustments(tree["adjustments"]),
    )


def read_results(
    path: str | os.PathLike[str], policies: Iterable[Policy] = ()
) -> ScoreTable | RollupTable:
    """Read a score table (``kpiscore score --format json``) or a roll-up table
    (``kpiscore rollup``) back from its JSON file.

    Args:
        path: The JSON file.
        policies: Policies the results may have been scored under, besides the bundled ones.

    Raises:
        FileFormatError: not such a file, or scored under a policy neither bundled nor given.
    """
    name = str(path)
    text = read_text_file(Path(path), name, limit=MAX_RESULT_BYTES)
    tree = parse_json_document(text, name, limit=MAX_RESULT_BYTES)
    found = _Policies(policies, name)
    try:
        if not isinstance(tree, Mapping) or not ({"scorecards", "rollups"} & set(tree)):
            raise FileFormatError(
                f"{name}: expected the JSON of `kpiscore score --format json` (with"
                " 'scorecards') or of `kpiscore rollup` (with 'rollups')",
                path=name,
            )
        policy = found.find(tree, "policy")
        period = Period.parse(_text(tree["period"]))
        if "scorecards" in tree:
            cards = tuple(
                _card(card, found.find(card, f"scorecards[{i}]"))
                for i, card in enumerate(_objects(tree["scorecards"]))
            )
            return ScoreTable(policy=policy, period=period, scorecards=cards)
        rollups = tuple(
            _rollup(item, found, f"rollups[{i}]")
            for i, item in enumerate(_objects(tree["rollups"]))
        )
        return RollupTable(policy=policy, period=period, rollups=rollups)
    except FileFormatError:
        raise
    except (KpiscoreError, KeyError, TypeError, ValueError) as error:
        raise FileFormatError(
            f"{name}: not a result file kpiscore wrote ({type(error).__name__}: {error})",
            path=name,
        ) from None
