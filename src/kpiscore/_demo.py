"""The built-in demo: a small example policy and sample, scored and explained."""

from __future__ import annotations

import datetime as _dt

from kpiscore._engine import score_many
from kpiscore._facts import Event, Measure, Person
from kpiscore._period import Period
from kpiscore._policy import Band, Category, Criterion, Deduction, Policy, RatingCap

__all__ = ["example_policy", "run_demo"]


def example_policy() -> Policy:
    """A small Decree 335-shaped example: general criteria 30, task results 70, national bands."""
    return Policy(
        id="example-nd335",
        name="Example: Decree 335/2025 shape (illustrative)",
        scale=100,
        categories=[
            Category(
                id="general",
                name="Tiêu chí chung",
                criteria=[
                    Criterion(
                        id="discipline",
                        name="Kỷ luật, kỷ cương",
                        max_points=15,
                        deductions=[Deduction(on="training_absence", points=2)],
                    ),
                    Criterion(id="competence", name="Năng lực", max_points=15, basis="assessed"),
                ],
            ),
            Category(
                id="task",
                name="Kết quả thực hiện nhiệm vụ",
                max_points=70,
                criteria=[
                    Criterion(id=c, name=n, max_points=100, basis="ratio")
                    for c, n in (
                        ("quantity", "Số lượng"),
                        ("quality", "Chất lượng"),
                        ("on_time", "Tiến độ"),
                    )
                ],
            ),
        ],
        bands=[
            Band(
                id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ", name_en="Excellent"
            ),
            Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ", name_en="Good"),
            Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ", name_en="Completed"),
            Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ", name_en="Not completed"),
        ],
        caps=[RatingCap(on="reprimand", at_most="KHT", reference="Decree 335/2025")],
    )


def run_demo(lang: str = "en") -> str:
    """Score the built-in sample and return the report text."""
    policy = example_policy()
    period = Period.quarter(2026, 1)
    people = [
        Person(id="nv001", name="Nguyễn Văn An", unit="Phòng Tổ chức"),
        Person(id="nv002", name="Trần Thị Bình", unit="Phòng Tổ chức"),
        Person(id="nv003", name="Lê Văn Cường", unit="Phòng Kế hoạch"),
    ]
    day = _dt.date
    events = [
        Event(subject="nv002", kind="training_absence", on=day(2026, 1, 14)),
        Event(subject="nv002", kind="training_absence", on=day(2026, 2, 25), excused=True),
        Event(subject="nv003", kind="reprimand", on=day(2026, 3, 2)),
    ]
    ratios = {
        "nv001": ("1", "0.95", "1"),
        "nv002": ("0.9", "0.875", "0.825"),
        "nv003": ("0.8", "0.7", "0.6"),
    }
    measures = [
        Measure(subject=s, criterion="competence", value=v)
        for s, v in (("nv001", 14), ("nv002", 13), ("nv003", 12))
    ]
    measures += [
        Measure(subject=s, criterion=c, value=v)
        for s, values in ratios.items()
        for c, v in zip(("quantity", "quality", "on_time"), values, strict=True)
    ]
    table = score_many(policy, period, people, events=events, measures=measures)
    lines = [f"{policy.name} — {period.label}", ""]
    for card in table:
        lines.append(f"{card.subject}  {card.person.name:<16} {card.total:>7}  {card.rating}")
    lines.append("")
    lines.append(table["nv002"].explain("vi" if lang == "vi" else "en"))
    return "\n".join(lines)
