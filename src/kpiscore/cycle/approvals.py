"""Late approvals (Decree 335/2025 Art. 14; the news case's 5-day deadline): work items whose
approver let the deadline pass become events for the approver, from :class:`WorkItem` objects or
from an approval log (CSV), counted on a working calendar with the Civil Code's rules
(Arts. 147-148). :mod:`kpiscore.work` shows these names with the work items.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from typing import Final, Literal

from kpiscore.cycle.calendar import WorkCalendar
from kpiscore.cycle.work import WorkItem, _items, _text
from kpiscore.exceptions import InputError
from kpiscore.model.facts import Event
from kpiscore.model.period import check_date

__all__ = ["approval_events", "read_approvals"]

_ONE_DAY: Final = _dt.timedelta(days=1)


# --------------------------------------------------------------------------- approvals


def approval_events(
    items: Iterable[WorkItem],
    calendar: WorkCalendar,
    *,
    days: int = 5,
    unit: Literal["working", "calendar"] = "working",
    kind: str = "late_approval",
    as_of: _dt.date,
    lang: Literal["en", "vi"] = "en",
) -> tuple[Event, ...]:
    """An event for the approver of each item approved past its deadline, or still waiting.

    The approval deadline is ``calendar.deadline(submitted_on, days, unit)`` (Civil Code
    Arts. 147-148: the submission day is not counted; the deadline is a working day). An item
    approved after it, or not approved by ``as_of``, gives one event:

    - ``subject``: the approver; ``kind``: ``kind``; ``ref``: the item's id;
    - ``on``: the first day late (the day after the deadline), so the event falls in the period
      in which the deadline was missed, whatever ``as_of``;
    - ``quantity``: the days late, in ``unit``: calendar days from the deadline to the approval
      (or ``as_of``), or working days after the deadline up to that day, the day itself always
      counted (an approval on the Saturday after a Friday deadline is 1 working day late).

    Only items with an ``approver`` and submitted by ``as_of`` are looked at; an approval after
    ``as_of`` counts as still waiting at ``as_of``.

    Args:
        items: The work items.
        calendar: The working calendar the deadline is counted on; it must cover every date
            counted (from the submissions to ``as_of``).
        days: The approval period, a whole number of days >= 0 (5 in the news case).
        unit: ``"working"`` (default) or ``"calendar"`` days.
        kind: The event kind (what the policy's deduction is ``on``).
        as_of: The day the situation is taken as known.
        lang: The language of each event's ``note``, shown in the approver's ledger:
            ``"en"`` (default) or ``"vi"``.

    Returns:
        The events, ordered by day, approver and item.

    Raises:
        InputError: a bad argument.
        CalendarError: the calendar does not cover a date counted.

    >>> from kpiscore.calendar import vietnam
    >>> item = WorkItem(subject="nv001", id="cv-7", assigned_on=date(2026, 2, 2),
    ...                 due_on=date(2026, 2, 10), approver="tp01",
    ...                 submitted_on=date(2026, 2, 12), approved_on=date(2026, 3, 2))
    >>> [event] = approval_events([item], vietnam(2026), as_of=date(2026, 3, 31))
    >>> event.subject, event.on, event.quantity    # due Thu 26 Feb; Fri 27, Mon 2 Mar late
    ('tp01', datetime.date(2026, 2, 27), Decimal('2'))
    """
    checked = _items(items)
    if not isinstance(calendar, WorkCalendar):
        raise InputError(
            f"approval_events: calendar must be a WorkCalendar (got {type(calendar).__name__}"
            f" {calendar!r})"
        )
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InputError(
            f"approval_events: days must be a whole number of days >= 0 (got {days!r})"
        )
    if unit not in ("working", "calendar"):
        raise InputError(f"approval_events: unit must be 'working' or 'calendar' (got {unit!r})")
    _text(kind, owner="approval_events", field="kind")
    if lang not in ("en", "vi"):
        raise InputError(f"approval_events: lang must be 'en' or 'vi' (got {lang!r})")
    as_of = check_date(as_of, owner="approval_events", field="as_of")
    events: list[Event] = []
    for item in checked:
        if item.approver is None or item.submitted_on is None or item.submitted_on > as_of:
            continue
        deadline = calendar.deadline(item.submitted_on, days, unit)
        approved = item.approved_on is not None and item.approved_on <= as_of
        end = item.approved_on if approved and item.approved_on is not None else as_of
        if end <= deadline:
            continue
        if unit == "calendar":
            late = (end - deadline).days
        else:
            late = calendar.working_days_between(deadline, end)
            if not calendar.is_working_day(end):
                late += 1  # the day of the approval (or as_of) itself always counts
        status = f"approved {end.isoformat()}" if approved else f"not approved by {end.isoformat()}"
        note = (
            f"work item {item.id!r} of {item.subject!r} submitted"
            f" {item.submitted_on.isoformat()}; approval due {deadline.isoformat()}"
            f" ({days} {unit} days); {status}: {late} {unit} day(s) late"
        )
        if lang == "vi":
            kind_vi = "ngày làm việc" if unit == "working" else "ngày"
            status_vi = (
                f"duyệt ngày {end.isoformat()}"
                if approved
                else f"chưa duyệt đến ngày {end.isoformat()}"
            )
            note = (
                f"hồ sơ {item.id!r} của {item.subject!r} trình ngày"
                f" {item.submitted_on.isoformat()}; hạn duyệt {deadline.isoformat()}"
                f" ({days} {kind_vi}, BLDS 2015 Điều 147–148); {status_vi}: chậm {late}"
                f" {kind_vi}"
            )
        events.append(
            Event(
                subject=item.approver,
                kind=kind,
                on=deadline + _ONE_DAY,
                quantity=late,
                ref=item.id,
                note=note,
            )
        )
    events.sort(key=lambda event: (event.on, event.subject, event.ref or "", event.note or ""))
    return tuple(events)


# --------------------------------------------------------------------------- approval logs

_APPROVAL_COLUMNS: Final = ("item", "subject", "approver", "submitted")
_APPROVAL_OPTIONAL: Final = ("approved", "days", "unit")


def read_approvals(
    path: str | os.PathLike[str],
    *,
    as_of: _dt.date | None = None,
    calendar: WorkCalendar | None = None,
    days: int = 5,
    unit: Literal["working", "calendar"] = "working",
    kind: str = "late_approval",
    lang: Literal["en", "vi"] = "vi",
) -> tuple[Event, ...]:
    """Read an approval log (CSV) and turn it into late-approval events for the approvers.

    Columns: ``item``, ``subject`` (who submitted the work), ``approver``, ``submitted``
    (required), ``approved`` (empty while waiting), and ``days``, ``unit`` (``working`` or
    ``calendar``) to override the approval period of one row. Dates are ``DD/MM/YYYY`` or
    ``YYYY-MM-DD``. Each row is a :class:`WorkItem` given to :func:`approval_events`: the
    deadline is counted on ``calendar`` (by default Vietnam's working calendar of the years
    from the first submission to ``as_of``) with Civil Code Arts. 147–148.

    Args:
        path: The CSV file.
        as_of: The day the situation is taken as known (an evaluation's last day); by
            default the latest day written in the log, so the result depends only on the file.
        calendar: The working calendar; by default :func:`kpiscore.calendar.vietnam`.
        days: The approval period of rows without ``days`` (5 in the news case).
        unit: The unit of rows without ``unit``.
        kind: The event kind.
        lang: The language of the events' notes (default ``"vi"``).

    Returns:
        The events, as :func:`approval_events` orders them.

    Raises:
        FileFormatError: a bad cell or row (file, line and column named); an item id given
            twice for one submitter.
        CalendarError: the calendar does not cover a date counted.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "approvals.csv"
    >>> _ = path.write_text("item,subject,approver,submitted,approved\\n"
    ...                     "cv-7,nv001,tp01,12/02/2026,02/03/2026\\n", encoding="utf-8")
    >>> [event] = read_approvals(path, as_of=date(2026, 3, 31), lang="en")
    >>> event.subject, event.on, event.quantity    # due Thu 26 Feb; Fri 27, Mon 2 Mar late
    ('tp01', datetime.date(2026, 2, 27), Decimal('2'))
    """
    from kpiscore.cycle.calendar import vietnam
    from kpiscore.cycle.evaluation_csv import cell_date, raise_all, read_csv_table
    from kpiscore.exceptions import FileFormatError

    name = str(path)
    if as_of is not None:
        as_of = check_date(as_of, owner="read_approvals", field="as_of")
    _, rows = read_csv_table(
        path, required=_APPROVAL_COLUMNS, optional=_APPROVAL_OPTIONAL, what="approvals"
    )
    groups: dict[tuple[int, str], list[WorkItem]] = {}
    problems: list[FileFormatError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        try:
            submitted = cell_date(row, "submitted")
            approved = cell_date(row, "approved") if row.cells.get("approved") else None
            row_days = days
            if row.cells.get("days"):
                text = row.cells["days"] or ""
                if not text.isdigit():
                    raise row.problem("days", f"expected a whole number of days (got {text!r})")
                row_days = int(text)
            row_unit = row.cells.get("unit") or unit
            if row_unit not in ("working", "calendar"):
                raise row.problem("unit", f"expected 'working' or 'calendar' (got {row_unit!r})")
            key = (row.cells["subject"] or "", row.cells["item"] or "")
            if key in seen:
                raise row.problem(
                    "item", f"{key[1]!r} of {key[0]!r} already given on line {seen[key]}"
                )
            seen[key] = row.line
            item = WorkItem(
                subject=key[0],
                id=key[1],
                assigned_on=submitted,
                due_on=submitted,
                approver=row.cells["approver"],
                submitted_on=submitted,
                approved_on=approved,
            )
        except FileFormatError as problem:
            problems.append(problem)
            continue
        except InputError as error:
            problems.append(
                FileFormatError(f"{name} line {row.line}: {error}", path=f"{name}:{row.line}")
            )
            continue
        groups.setdefault((row_days, row_unit), []).append(item)
    raise_all(problems, name)
    if as_of is None:
        days_written = [
            day
            for group in groups.values()
            for item in group
            for day in (item.submitted_on, item.approved_on)
            if day is not None
        ]
        as_of = max(days_written, default=_dt.date(2000, 1, 1))
    if calendar is None:
        first = min((i.assigned_on.year for g in groups.values() for i in g), default=as_of.year)
        calendar = vietnam(*range(min(first, as_of.year), as_of.year + 2))
    events: list[Event] = []
    for (row_days, row_unit), items in groups.items():
        events.extend(
            approval_events(
                items,
                calendar,
                days=row_days,
                unit=row_unit,  # type: ignore[arg-type]
                kind=kind,
                as_of=as_of,
                lang=lang,
            )
        )
    events.sort(key=lambda event: (event.on, event.subject, event.ref or "", event.note or ""))
    return tuple(events)
