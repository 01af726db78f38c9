"""Reading an evaluation file: TOML with strict keys, the files it names relative to it.

Every unknown key is an error naming its path in the file (``evaluation.toml: quota.shares:
unknown key``); the files named are read with their own careful readers, each problem naming
the file, the line and the column.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, cast

from kpiscore.cycle.evaluation_assign import AssignRule, known_attributes
from kpiscore.cycle.evaluation_csv import raise_all, read_csv_table
from kpiscore.cycle.evaluation_leaders import LeaderRule
from kpiscore.cycle.evaluation_leave import read_leave
from kpiscore.cycle.evaluation_people import Member, read_people
from kpiscore.cycle.evaluation_rules import PayoutRule, QuotaRule
from kpiscore.exceptions import FileFormatError, InputError, KpiscoreError
from kpiscore.io.file_numbers import NumberFormat, check_number_format, read_number
from kpiscore.io.load import (
    MAX_POLICY_BYTES,
    load_measures,
    parse_toml_document,
    read_fact_records,
    read_text_file,
)
from kpiscore.model.facts import Event, Measure
from kpiscore.model.numbers import to_decimal
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy

__all__ = ["KEYS", "read_fields"]

#: The keys an evaluation file may hold, by table (``""`` is the top level).
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "": (
        "name",
        "period",
        "every",
        "people",
        "events",
        "measures",
        "approvals",
        "leave",
        "leave_rule",
        "number_format",
        "assign",
        "leaders",
        "quota",
        "payout",
    ),
    "assign": ("when", "policy", "from", "until"),
    "leaders": ("event", "at_least"),
    "quota": ("rating", "share", "base", "group_by", "rounding", "ties", "reference"),
    "payout": ("table", "salaries"),
}
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "": ("name", "period", "people", "assign"),
    "assign": ("policy",),
    "leaders": (),
    "quota": (),
    "payout": ("table", "salaries"),
}


class _File:
    """The file being read: its name, its folder, and how to report a key's problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.folder = path.parent

    def error(self, key: str, message: str) -> FileFormatError:
        return FileFormatError(f"{self.name}: {key}: {message}", path=f"{self.name}:{key}")

    def keys(self, tree: Mapping[str, object], table: str, where: str) -> None:
        allowed = KEYS[table]
        problems = [
            self.error(f"{where}{key}", f"unknown key; expected one of {list(allowed)!r}")
            for key in tree
            if key not in allowed
        ]
        problems.extend(
            self.error(f"{where}{key}", "required, but missing")
            for key in _REQUIRED[table]
            if key not in tree
        )
        raise_all(problems, self.name)

    def text(self, tree: Mapping[str, object], key: str, where: str = "") -> str:
        value = tree[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{where}{key}", f"expected non-empty text (got {value!r})")
        return value

    def table(self, tree: Mapping[str, object], key: str) -> Mapping[str, object]:
        value = tree[key]
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a table (got {type(value).__name__})")
        return value

    def file(self, tree: Mapping[str, object], key: str, where: str = "") -> Path:
        path = self.folder / self.text(tree, key, where)
        if not path.is_file():
            raise self.error(f"{where}{key}", f"no such file: {path}")
        return path

    def date(self, tree: Mapping[str, object], key: str, where: str) -> _dt.date:
        value = tree[key]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = _dt.date.fromisoformat(value)
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
            raise self.error(f"{where}{key}", f"expected a date like 2026-07-01 (got {value!r})")
        return value


def _policy(file: _File, value: str, key: str) -> Policy:
    from kpiscore import policies
    from kpiscore.io.load import load_policy

    if value.lower().endswith((".toml", ".json")) or "/" in value:
        path = file.folder / value
        if not path.is_file():
            raise file.error(key, f"no such policy file: {path}")
        return load_policy(path)
    try:
        return policies.load(value)
    except KpiscoreError as error:
        raise file.error(key, str(error)) from None


def _measures(
    file: _File, tree: Mapping[str, object], fmt: NumberFormat
) -> dict[Period, list[Measure]]:
    value = tree["measures"]
    result: dict[Period, list[Measure]] = {}
    if isinstance(value, Mapping):
        for label in value:
            try:
                period = Period.parse(label)
            except KpiscoreError as error:
                raise file.error(f"measures.{label}", str(error)) from None
            result[period] = load_measures(file.file(value, label, "measures."), number_format=fmt)
        return result
    path = file.file(tree, "measures")
    _, rows = read_csv_table(
        path, required=("subject", "criterion", "value", "period"), what="measures"
    )
    problems: list[FileFormatError] = []
    for row in rows:
        try:
            period = Period.parse(row.cells["period"] or "")
        except KpiscoreError as error:
            problems.append(row.problem("period", str(error)))
            continue
        try:
            measure = Measure(
                subject=row.cells["subject"] or "",
                criterion=row.cells["criterion"] or "",
                value=read_number(row.cells["value"] or "", fmt),
            )
        except KpiscoreError as error:
            problems.append(row.problem("value", str(error).removeprefix("cell: ")))
            continue
        result.setdefault(period, []).append(measure)
    raise_all(problems, str(path))
    return result


def _assign(
    file: _File, tree: Mapping[str, object], people: tuple[Member, ...]
) -> list[AssignRule]:
    rules_tree = tree["assign"]
    if not isinstance(rules_tree, list) or not rules_tree:
        raise file.error("assign", "expected one or more [[assign]] tables")
    attributes = known_attributes(people)
    rules: list[AssignRule] = []
    for position, rule in enumerate(rules_tree):
        where = f"assign[{position}]."
        if not isinstance(rule, Mapping):
            raise file.error(f"assign[{position}]", "expected a table")
        file.keys(rule, "assign", where)
        when = rule.get("when", {})
        if not isinstance(when, Mapping):
            raise file.error(f"{where}when", f"expected a table (got {when!r})")
        for name in when:
            if name not in attributes:
                raise file.error(
                    f"{where}when.{name}",
                    f"unknown attribute; expected one of {sorted(attributes)!r}"
                    " (the people file's columns)",
                )
        policy = _policy(file, file.text(rule, "policy", where), f"{where}policy")
        since = file.date(rule, "from", where) if "from" in rule else None
        until = file.date(rule, "until", where) if "until" in rule else None
        try:
            rules.append(AssignRule(when=when, policy=policy, since=since, until=until))
        except InputError as error:
            raise file.error(f"assign[{position}]", str(error)) from None
    return rules


def _quota(file: _File, tree: Mapping[str, object]) -> QuotaRule:
    table = file.table(tree, "quota")
    file.keys(table, "quota", "quota.")
    fields: dict[str, Any] = {}
    for key in ("rating", "base", "rounding", "ties", "reference"):
        if key in table:
            fields[key] = file.text(table, key, "quota.")
    if "share" in table:
        share = table["share"]
        if isinstance(share, bool) or not isinstance(share, int | Decimal | str):
            raise file.error("quota.share", f"expected a number like 0.20 (got {share!r})")
        try:
            fields["share"] = to_decimal(share, owner="quota", field="share")
        except KpiscoreError as error:
            raise file.error("quota.share", str(error)) from None
    if "group_by" in table:
        group_by = table["group_by"]
        if isinstance(group_by, str):
            group_by = [group_by]
        if not isinstance(group_by, list) or not all(isinstance(n, str) for n in group_by):
            raise file.error("quota.group_by", f"expected a list of names (got {group_by!r})")
        fields["group_by"] = tuple(group_by)
    return QuotaRule(**fields)


def _payout(file: _File, tree: Mapping[str, object], fmt: NumberFormat) -> PayoutRule:
    from kpiscore.cycle import payout

    table_tree = file.table(tree, "payout")
    file.keys(table_tree, "payout", "payout.")
    name = file.text(table_tree, "table", "payout.")
    if name.lower().endswith(".toml") or "/" in name:
        table = payout.read(file.file(table_tree, "table", "payout."))
    else:
        try:
            table = payout.load(name)
        except KpiscoreError as error:
            raise file.error("payout.table", str(error)) from None
    salaries = payout.read_salaries(file.file(table_tree, "salaries", "payout."), number_format=fmt)
    return PayoutRule(table=table, salaries=salaries)


def read_fields(path: Path, number_format: NumberFormat | None = None) -> dict[str, Any]:
    """Read an evaluation file into the fields of an :class:`~kpiscore.Evaluation`: see
    :meth:`kpiscore.cycle.evaluation.Evaluation.load`.

    Numbers in the files it names are read in ``number_format``, else the file's key
    ``number_format`` (``"point"``, the default, or ``"vi"``)."""
    file = _File(path)
    text = read_text_file(path, file.name, limit=MAX_POLICY_BYTES)
    tree = parse_toml_document(text, file.name)
    file.keys(tree, "", "")
    name = file.text(tree, "name")
    try:
        period = Period.parse(file.text(tree, "period"))
    except KpiscoreError as error:
        raise file.error("period", str(error)) from None
    every = tree.get("every", "quarter")
    if every not in ("month", "quarter"):
        raise file.error("every", f"expected 'month' or 'quarter' (got {every!r})")
    leave_rule = tree.get("leave_rule", "nd335-2025")
    if leave_rule not in ("nd335-2025", "nd90-2020"):
        raise file.error("leave_rule", f"expected 'nd335-2025' or 'nd90-2020' (got {leave_rule!r})")
    fmt_given = tree.get("number_format", "point") if number_format is None else number_format
    try:
        fmt = check_number_format(fmt_given)
    except KpiscoreError as error:
        raise file.error("number_format", str(error).removeprefix("number_format ")) from None
    people = read_people(file.file(tree, "people"))
    events: list[Event] = []
    places: list[str] = []
    approvals: tuple[Event, ...] = ()
    if "events" in tree:
        records = read_fact_records(file.file(tree, "events"), "events", number_format=fmt)
        events.extend(cast("Event", record.fact) for record in records)
        places.extend(record.where for record in records)
    if "approvals" in tree:
        from kpiscore.cycle.approvals import read_approvals

        approvals_file = file.file(tree, "approvals")
        approvals = read_approvals(approvals_file, as_of=period.end)
        places.extend(
            f"{approvals_file} (late approval {position + 1})" for position in range(len(approvals))
        )
    measures = _measures(file, tree, fmt) if "measures" in tree else {}
    leave = read_leave(file.file(tree, "leave")) if "leave" in tree else ()
    assign = _assign(file, tree, people)
    leaders = None
    if "leaders" in tree:
        leaders_tree = file.table(tree, "leaders")
        file.keys(leaders_tree, "leaders", "leaders.")
        leaders = LeaderRule(
            **{key: file.text(leaders_tree, key, "leaders.") for key in leaders_tree}
        )
    quota = _quota(file, tree) if "quota" in tree else None
    payout_rule = _payout(file, tree, fmt) if "payout" in tree else None
    return {
        "name": name,
        "period": period,
        "every": every,
        "people": people,
        "events": events,
        "approvals": approvals,
        "places": tuple(places),
        "measures": measures,
        "leave": leave,
        "leave_rule": leave_rule,
        "assign": assign,
        "leaders": leaders,
        "quota": quota,
        "payout": payout_rule,
    }
