"""Reading the tree of one case file into cases, collecting every problem with its place."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from kpiscore.cycle.work import WorkItem
from kpiscore.exceptions import (
    FileFormatError,
    InputError,
    KpiscoreError,
    PolicyError,
)
from kpiscore.model.fact_checks import duplicate_events, duplicate_message, unknown_kind_message
from kpiscore.model.facts import Event, Measure
from kpiscore.model.numbers import to_decimal
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.model.text import shown_ids
from kpiscore.testing.case_model import Case, Expected

#: The ending of a case file's name; folders are searched for files with it.
CASE_SUFFIX: Final = ".kpi.toml"
#: The subject of a case that does not name one.
DEFAULT_SUBJECT: Final = "nv001"

_FILE_KEYS: Final = ("case", "description", "overlay", "period", "policy", "subject")
_CASE_KEYS: Final = (
    "description",
    "events",
    "expect",
    "measures",
    "name",
    "overlay",
    "period",
    "policy",
    "subject",
    "work",
    "approvals",
)


def _field_keys(cls: type) -> tuple[str, ...]:
    """The keys a case's table for ``cls`` takes: the class's fields, sorted, but ``subject``
    (the case's own); read from the class, so the keys and the fields cannot drift apart."""
    return tuple(sorted(field.name for field in attrs.fields(cls) if field.name != "subject"))


_EVENT_KEYS: Final = _field_keys(Event)
_WORK_KEYS: Final = _field_keys(WorkItem)
#: An approval of a work item by the case's subject (the approver): Decree 335 Art. 14 and the
#: news case's 5-day deadline, counted on Vietnam's working calendar (Civil Code Arts. 147-148).
_APPROVAL_KEYS: Final = ("approved", "days", "item", "kind", "submitted", "unit")
_EXPECT_KEYS: Final = _field_keys(Expected)
_WORK_CRITERIA: Final = ("quantity", "quality", "on_time")

__all__ = ["CASE_SUFFIX", "DEFAULT_SUBJECT"]


# --------------------------------------------------------------------------- reading


_T = TypeVar("_T", bound=attrs.AttrsInstance)
_R = TypeVar("_R")


class _Reader:
    """Reads the tree of one case file, collecting every problem with its place."""

    def __init__(self, name: str, folder: Path | None) -> None:
        self.name = name
        self.folder = folder
        self.problems: list[FileFormatError] = []
        self._policies: dict[str, Policy] = {}
        self.event_places: list[str] = []  # where each event of the last case's list was

    def fail(self, where: str, message: str) -> None:
        where = where.removesuffix(":")
        place = f"{self.name}: {where}: " if where else f"{self.name}: "
        self.problems.append(FileFormatError(place + message, path=f"{self.name}:{where}"))

    def keys(self, table: Mapping[str, object], where: str, allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                self.fail(
                    _join(where, key), f"unknown key {key!r}; expected one of {list(allowed)!r}"
                )

    def text(self, value: object, where: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.fail(where, f"expected text (got {value!r})")
        return None

    def number(self, value: object, where: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
            self.fail(where, f"expected a number (got {value!r})")
            return None
        try:
            return to_decimal(value, owner="value", field="value")
        except InputError:
            self.fail(where, f"expected a number (got {value!r})")
            return None

    def date(self, value: object, where: str) -> _dt.date | None:
        if isinstance(value, _dt.datetime):
            self.fail(
                where, f"expected a date such as 2026-01-15, not a date and time (got {value})"
            )
            return None
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(where, f"expected a date such as 2026-01-15 (got {value!r})")
        return None

    def table(self, value: object, where: str) -> Mapping[str, object] | None:
        if isinstance(value, Mapping):
            return value  # TOML tables: string keys
        self.fail(where, f"expected a table (got {value!r})")
        return None

    def policy(self, source: object, where: str) -> Policy | None:
        from kpiscore import policies
        from kpiscore.io.load import load_policy

        text = self.text(source, where)
        if text is None:
            return None
        if text in self._policies:
            return self._policies[text]
        looks_like_path = text.lower().endswith((".toml", ".json")) or "/" in text
        try:
            if not looks_like_path:
                if text not in policies.available():
                    self.fail(
                        where,
                        f"no bundled policy {text!r}; expected one of"
                        f" {list(policies.available())!r}, or the path of a policy file"
                        " relative to the case file",
                    )
                    return None
                policy = policies.load(text)
            else:
                path = Path(text)
                if not path.is_absolute() and self.folder is not None:
                    path = self.folder / path
                policy = load_policy(path)
        except KpiscoreError as error:
            self.fail(where, str(error))
            return None
        self._policies[text] = policy
        return policy

    def overlay(self, value: object, where: str) -> dict[str, object] | None:
        from kpiscore.cycle.variants import _flatten, load_overlay

        if isinstance(value, str):
            path = Path(value)
            if not path.is_absolute() and self.folder is not None:
                path = self.folder / path
            try:
                return load_overlay(path)
            except KpiscoreError as error:
                self.fail(where, str(error))
                return None
        table = self.table(value, where)
        return None if table is None else _flatten(table)

    def period(self, value: object, where: str) -> Period | None:
        text = self.text(value, where)
        if text is None:
            return None
        try:
            return Period.parse(text)
        except KpiscoreError as error:
            self.fail(where, str(error).removeprefix("period: "))
            return None

    def tables(
        self, value: object, where: str, what: str, allowed: Sequence[str]
    ) -> Iterator[tuple[str, Mapping[str, object]]]:
        """Each table of a list of tables (``[[events]]``…) with its place, unknown keys
        reported; nothing, and a problem, when ``value`` is not a list."""
        if not isinstance(value, list):
            self.fail(where, f"expected a list of {what} (got {value!r})")
            return
        for index, item in enumerate(value, 1):
            place = f"{where}[{index}]"
            table = self.table(item, place)
            if table is not None:
                self.keys(table, place, allowed)
                yield place, table

    def events(self, value: object, where: str, subject: str) -> list[Event]:
        events = []
        self.event_places = []
        for place, table in self.tables(value, where, "events", _EVENT_KEYS):
            fields: dict[str, object] = {"subject": subject}
            for key in ("kind", "ref", "note"):
                if key in table:
                    fields[key] = self.text(table[key], _join(place, key))
            if "on" in table:
                fields["on"] = self.date(table["on"], _join(place, "on"))
            if "quantity" in table:
                fields["quantity"] = self.number(table["quantity"], _join(place, "quantity"))
            if "excused" in table:
                fields["excused"] = self.flag(table["excused"], _join(place, "excused"))
            for key in ("kind", "on"):
                if key not in table:
                    self.fail(_join(place, key), "required, but missing")
            if any(v is None for k, v in fields.items()) or not {"kind", "on"} <= set(table):
                continue
            event = self.build(Event, fields, place)
            if event is not None:
                events.append(event)
                self.event_places.append(place)
        return events

    def check_events(self, events: list[Event], policy: Policy, period: Period) -> None:
        """A case's own events: each kind known to its policy, each inside the case's period
        (a case scores one period: an event outside it would be left out unseen), none given
        twice (the same ref, or an identical event)."""
        places = self.event_places
        known = policy.known_kinds
        for event, place in zip(events, places, strict=False):
            if event.kind not in known:
                self.fail(
                    _join(place, "kind"), unknown_kind_message(event.kind, (policy.id,), known)
                )
            if not period.start <= event.on <= period.end:
                self.fail(
                    _join(place, "on"),
                    f"{event.on.isoformat()} is outside the case's period {period.label}"
                    f" ({period.start.isoformat()} to {period.end.isoformat()}); expected an"
                    " event the case scores",
                )
        own = events[: len(places)]
        for position, first in duplicate_events(own, identical=True):
            self.fail(places[position], duplicate_message(own[position], places[first]))

    def flag(self, value: object, where: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.fail(where, f"expected true or false (got {value!r})")
        return None

    def build(self, cls: type[_T], fields: dict[str, object], where: str) -> _T | None:
        missing = [
            field.alias
            for field in attrs.fields(cls)
            if field.default is attrs.NOTHING and field.init and field.alias not in fields
        ]
        if missing:
            self.fail(
                where,
                f"missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            )
            return None
        try:
            return cls(**fields)
        except KpiscoreError as error:
            self.fail(where, str(error))
            return None

    def measures(self, value: object, where: str, subject: str) -> list[Measure]:
        table = self.table(value, where)
        if table is None:
            return []
        measures = []
        for criterion, raw in table.items():
            spot = _join(where, criterion)
            number = self.number(raw, spot)
            if number is not None:
                fields = {"subject": subject, "criterion": criterion, "value": number}
                measure = self.build(Measure, fields, spot)
                if measure is not None:
                    measures.append(measure)
        return measures

    def work(self, value: object, where: str, subject: str, period: Period) -> list[Measure]:
        from kpiscore.cycle.work import task_ratios

        items = []
        for place, table in self.tables(value, where, "work items", _WORK_KEYS):
            fields: dict[str, object] = {"subject": subject}
            ok = True
            for key, raw in table.items():
                if key not in _WORK_KEYS:
                    continue
                spot = _join(place, key)
                if key.endswith("_on"):
                    fields[key] = self.date(raw, spot)
                elif key in ("id", "approver"):
                    fields[key] = self.text(raw, spot)
                elif key == "units":
                    fields[key] = self.number(raw, spot)
                elif key == "objective_cause":
                    fields[key] = self.flag(raw, spot)
                elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
                    fields[key] = raw
                else:
                    self.fail(spot, f"expected a whole number >= 0 (got {raw!r})")
                    ok = False
                ok = ok and fields.get(key) is not None
            if not ok:
                continue
            built = self.build(WorkItem, fields, place)
            if built is not None:
                items.append(built)
        if not items:
            return []
        try:
            return list(task_ratios(items, period, subjects=[subject]))
        except KpiscoreError as error:
            self.fail(where, str(error))
            return []


# The approval keys' values differ in type by key (a date, a count, a unit, text); the caller
# passes each to the parameter of its name.
def _approval_field(reader: _Reader, table: Mapping[str, object], key: str, place: str) -> Any:
    """One approval key's value, checked; None (and a problem reported) when it is bad."""
    raw = table[key]
    spot = _join(place, key)
    if key in ("submitted", "approved"):
        return reader.date(raw, spot)
    if key == "days":
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        reader.fail(spot, f"expected a whole number of days >= 0 (got {raw!r})")
        return None
    if key == "unit" and raw not in ("working", "calendar"):
        reader.fail(spot, f"expected 'working' or 'calendar' (got {raw!r})")
        return None
    return reader.text(raw, spot)


def read_case_approvals(
    reader: _Reader, value: object, where: str, subject: str, period: Period
) -> list[Event]:
    """A case's ``[[approvals]]``: late-approval events for the case's subject, the approver.

    Each approval names the ``item``, the day it was ``submitted`` and, when it was, the day it
    was ``approved`` (an item still waiting at the period's end counts as late); ``days``
    (default 5) and ``unit`` (``working``, the default, or ``calendar``) give the deadline, and
    ``kind`` the event (default ``late_approval``), exactly as
    :func:`kpiscore.work.read_approvals` reads an approval log.
    """
    from kpiscore.cycle.approvals import approval_events
    from kpiscore.cycle.calendar import vietnam

    events: list[Event] = []
    for place, table in reader.tables(value, where, "approvals", _APPROVAL_KEYS):
        missing = [key for key in ("item", "submitted") if key not in table]
        for key in missing:
            reader.fail(_join(place, key), "required, but missing")
        fields = {
            key: _approval_field(reader, table, key, place)
            for key in table
            if key in _APPROVAL_KEYS
        }
        if missing or any(value is None for value in fields.values()):
            continue
        submitted = fields["submitted"]
        work = reader.build(
            WorkItem,
            {
                "subject": "-",
                "id": fields["item"],
                "assigned_on": submitted,
                "due_on": submitted,
                "approver": subject,
                "submitted_on": submitted,
                "approved_on": fields.get("approved"),
            },
            place,
        )
        if work is None:
            continue
        try:
            years = range(min(submitted.year, period.end.year), period.end.year + 2)
            events.extend(
                approval_events(
                    [work],
                    vietnam(*years),
                    days=fields.get("days", 5),
                    unit=fields.get("unit", "working"),
                    kind=fields.get("kind", "late_approval"),
                    as_of=period.end,
                )
            )
        except KpiscoreError as error:
            reader.fail(place, str(error))
    return events


def _join(where: str, key: object) -> str:
    # A case's label ends with a colon: "case 2 'name': expect.total".
    if where.endswith(":"):
        return f"{where} {key}"
    return f"{where}.{key}" if where else str(key)


def _expected(reader: _Reader, value: object, where: str, policy: Policy | None) -> Expected | None:
    table = reader.table(value, where)
    if table is None:
        return None
    reader.keys(table, where, _EXPECT_KEYS)
    if not any(key in table for key in _EXPECT_KEYS):
        reader.fail(where, f"expected at least one figure: one of {list(_EXPECT_KEYS)!r}")
        return None
    fields: dict[str, Any] = {}  # Expected(**fields): each key's value is read by its type
    ok = True
    for key in ("total", "carried"):
        if key in table:
            fields[key] = reader.number(table[key], _join(where, key))
            ok = ok and fields[key] is not None
    bands = [] if policy is None else [band.id for band in policy.bands]
    for key in ("rating", "score_rating"):
        if key in table:
            rating = reader.text(table[key], _join(where, key))
            if rating is not None and policy is not None and rating not in bands:
                reader.fail(
                    _join(where, key),
                    f"no band {rating!r} in policy {policy.id!r}; expected one of {bands!r}",
                )
                rating = None
            fields[key] = rating
            ok = ok and rating is not None
    if "error" in table:
        fields["error"] = reader.text(table["error"], _join(where, "error"))
        ok = ok and fields["error"] is not None
        others = [key for key in table if key in _EXPECT_KEYS and key != "error"]
        if others:
            reader.fail(
                where,
                f"an expected error goes alone; remove {others!r} (a case that fails to score"
                " has no figures)",
            )
            ok = False
    for key, kind in (("categories", "category"), ("criteria", "criterion")):
        if key not in table:
            continue
        figures = reader.table(table[key], _join(where, key))
        if figures is None:
            ok = False
            continue
        known = _ids(policy, key)
        points: dict[str, Decimal] = {}
        for ident, raw in figures.items():
            spot = _join(_join(where, key), ident)
            if policy is not None and ident not in known:
                reader.fail(
                    spot,
                    f"no {kind} {ident!r} in policy {policy.id!r}; expected one of"
                    f" {shown_ids(known)}",
                )
                ok = False
                continue
            number = reader.number(raw, spot)
            if number is None:
                ok = False
                continue
            points[ident] = number
        fields[key] = points
    return Expected(**fields) if ok else None


def _ids(policy: Policy | None, key: str) -> list[str]:
    if policy is None:
        return []
    if key == "categories":
        return [category.id for category in policy.categories]
    return [criterion.id for category in policy.categories for criterion in category.criteria]


def _case(
    reader: _Reader, tree: Mapping[str, object], defaults: Mapping[str, object], number: int
) -> Case | None:
    before = len(reader.problems)
    raw_name = tree.get("name")
    label = f"case {number}" + (f" {raw_name!r}" if isinstance(raw_name, str) else "") + ":"
    reader.keys(tree, label, _CASE_KEYS)
    name = reader.text(raw_name, _join(label, "name")) if "name" in tree else None
    if "name" not in tree:
        reader.fail(_join(label, "name"), "required, but missing")

    def setting(key: str) -> tuple[object, str]:
        if key in tree:
            return tree[key], _join(label, key)
        return defaults.get(key), key

    def required(key: str, read: Callable[[object, str], _R | None]) -> _R | None:
        raw, at = setting(key)
        if raw is None:
            reader.fail(_join(label, key), "required (in the case or at the top of the file)")
            return None
        return read(raw, at)

    policy = required("policy", reader.policy)
    # The file's overlay first, then the case's: a path in both takes the case's value.
    changes: dict[str, object] = {}
    for raw, place in (
        (defaults.get("overlay"), "overlay"),
        (tree.get("overlay"), _join(label, "overlay")),
    ):
        if raw is not None:
            changes.update(reader.overlay(raw, place) or {})
    if policy is not None and changes:
        from kpiscore.cycle.variants import overlay

        try:
            policy = overlay(policy, changes)
        except PolicyError as error:
            reader.fail(_join(label, "overlay"), str(error))
            policy = None
    period = required("period", reader.period)
    raw_subject, subject_at = setting("subject")
    subject = DEFAULT_SUBJECT
    if raw_subject is not None:
        subject = reader.text(raw_subject, subject_at) or DEFAULT_SUBJECT
    events = (
        reader.events(tree["events"], _join(label, "events"), subject) if "events" in tree else []
    )
    measures = (
        reader.measures(tree["measures"], _join(label, "measures"), subject)
        if "measures" in tree
        else []
    )
    if policy is not None and period is not None and events:
        reader.check_events(events, policy, period)
    if "approvals" in tree and period is not None:
        events += read_case_approvals(
            reader, tree["approvals"], _join(label, "approvals"), subject, period
        )
    if "work" in tree and period is not None:
        from_work = reader.work(tree["work"], _join(label, "work"), subject, period)
        given = {measure.criterion for measure in measures}
        for measure in from_work:
            if measure.criterion in given:
                reader.fail(
                    _join(_join(label, "measures"), measure.criterion),
                    "given twice: in measures and from the work items; keep one",
                )
        measures += from_work
    expected = None
    if "expect" not in tree:
        reader.fail(_join(label, "expect"), "required, but missing: the figures the case expects")
    else:
        expected = _expected(reader, tree["expect"], _join(label, "expect"), policy)
    description = tree.get("description")
    if description is not None and not isinstance(description, str):
        reader.fail(_join(label, "description"), f"expected text (got {description!r})")
    if len(reader.problems) > before:
        return None
    if name is None or policy is None or period is None or expected is None:
        return None  # pragma: no cover - each is reported as a problem above
    return Case(
        name=name,
        file=reader.name,
        number=number,
        policy=policy,
        policy_source=str(setting("policy")[0]),
        overlay=changes,
        period=period,
        subject=subject,
        events=tuple(events),
        measures=tuple(measures),
        expected=expected,
        description=description if isinstance(description, str) else None,
    )
