"""``kpiscore demo``: the bundled sample workforce scored under Decree 335/2025, and explained."""

from __future__ import annotations

import argparse
from decimal import Decimal
from fractions import Fraction
from importlib import resources

from kpiscore import policies
from kpiscore.cli.terminal import plain_table
from kpiscore.engine.exact import score_many
from kpiscore.io.load import load_events, load_measures, load_people
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import format_points, quantize_fraction
from kpiscore.model.period import Period
from kpiscore.model.policy import Band, Category, Criterion, Deduction, Policy, RatingCap
from kpiscore.results.scorecard import Scorecard, ScoreTable

__all__ = [
    "DEMO_PERIOD",
    "DEMO_POLICY",
    "add_parser",
    "example_policy",
    "run",
    "run_demo",
    "sample_facts",
]

#: The policy and the period the demo scores the sample workforce under.
DEMO_POLICY = "vn-nd335-2025-staff"
DEMO_PERIOD = "2026-Q1"

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "kpiscore demo",
        "sample": "Sample workforce: {people} civil servants in {units} offices, period {period}",
        "policy": "Policy: {id} — {name}",
        "fingerprint": "fingerprint {fingerprint}",
        "distribution": "Rating distribution",
        "rating": "rating",
        "name": "name",
        "people": "people",
        "share": "share",
        "summary": "Total points: mean {mean}, lowest {min}, highest {max}",
        "examples": "Three scorecards, explained",
        "top": "the highest total",
        "example": "the worked example of the docs (general 27, ratios 0.9 / 0.875 / 0.825)",
        "capped": "a rating capped by a discipline decision",
        "how": "Score your own: kpiscore score --policy {id} --period {period} --people people.csv"
        " --events events.csv --measures measures.csv",
    },
    "vi": {
        "title": "kpiscore — chạy thử",
        "sample": "Dữ liệu mẫu: {people} công chức tại {units} phòng, kỳ {period}",
        "policy": "Quy định: {id} — {name}",
        "fingerprint": "dấu vân tay {fingerprint}",
        "distribution": "Phân bố xếp loại",
        "rating": "xếp loại",
        "name": "tên",
        "people": "số người",
        "share": "tỷ lệ",
        "summary": "Tổng điểm: bình quân {mean}, thấp nhất {min}, cao nhất {max}",
        "examples": "Ba phiếu đánh giá, có giải thích",
        "top": "tổng điểm cao nhất",
        "example": "ví dụ trong tài liệu (tiêu chí chung 27, tỷ lệ 0,9 / 0,875 / 0,825)",
        "capped": "xếp loại bị giới hạn do quyết định kỷ luật",
        "how": "Chấm điểm dữ liệu của bạn: kpiscore score --policy {id} --period {period}"
        " --people people.csv --events events.csv --measures measures.csv",
    },
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore demo``."""
    command = subparsers.add_parser(
        "demo", help="score the bundled sample workforce and explain it"
    )
    command.add_argument("--lang", choices=("vi", "en"), default="en", help="default: en")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print :func:`run_demo`'s report."""
    print(run_demo(lang=args.lang), end="")
    return 0


def sample_facts() -> tuple[list[Person], list[Event], list[Measure]]:
    """The bundled sample workforce: its people, events and measures (see ``kpiscore.io.sample``).

    >>> people, events, measures = sample_facts()
    >>> len(people), len(measures), people[1].id
    (300, 1800, 'nv0002')
    """
    folder = resources.files("kpiscore").joinpath("data/sample")
    with resources.as_file(folder) as path:
        return (
            load_people(path / "people.csv"),
            load_events(path / "events.csv"),
            load_measures(path / "measures.csv"),
        )


def _share(count: int, total: int) -> str:
    """``count`` as a percentage of ``total``, to 0.1, half up (exact; never a float)."""
    share = quantize_fraction(Fraction(100 * count, total), Decimal("0.1"), "ROUND_HALF_UP")
    return f"{format_points(share)} %"


def _examples(table: ScoreTable) -> list[tuple[str, Scorecard]]:
    cards = list(table)
    top = max(cards, key=lambda card: (card.total, card.subject))
    chosen = [("top", top)]
    if "nv0002" in table:
        chosen.append(("example", table["nv0002"]))
    capped = [card for card in cards if card.rating != card.score_rating]
    if capped:
        chosen.append(("capped", capped[0]))
    return chosen


def run_demo(lang: str = "en") -> str:
    """Score the bundled sample workforce and return the report: distribution and explanations.

    >>> report = run_demo("en")
    >>> print(report.splitlines()[0])
    kpiscore demo
    """
    words = _WORDS["vi" if lang == "vi" else "en"]
    policy = policies.load(DEMO_POLICY)
    period = Period.parse(DEMO_PERIOD)
    people, events, measures = sample_facts()
    table = score_many(policy, period, people, events=events, measures=measures)
    units = {person.unit for person in people}
    lines = [
        words["title"],
        "",
        (words["sample"]).format(people=len(people), units=len(units), period=period.label),
        (words["policy"]).format(id=policy.id, name=policy.name),
        (words["fingerprint"]).format(fingerprint=policy.fingerprint),
        "",
        words["distribution"],
    ]
    counts = table.distribution()
    rows = []
    for band in policy.bands_descending:
        count = counts.get(band.id, 0)
        name = band.name_en if lang != "vi" and band.name_en else band.name
        rows.append([band.id, name, str(count), _share(count, len(table))])
    headers = [(words[key]) for key in ("rating", "name", "people", "share")]
    lines.append(plain_table(headers, rows, ["left", "left", "right", "right"]))
    summary = table.summary()
    lines += [
        "",
        (words["summary"]).format(
            mean=format_points(summary["mean"]),
            min=format_points(summary["min"]),
            max=format_points(summary["max"]),
        ),
        "",
        words["examples"],
    ]
    for reason, card in _examples(table):
        explained = card.explain("vi" if lang == "vi" else "en").rstrip("\n")
        lines += ["", "─" * 78, f"{card.subject} — {words[reason]}", "", explained]
    lines += ["", "─" * 78, (words["how"]).format(id=policy.id, period=period.label), ""]
    return "\n".join(lines)


def example_policy() -> Policy:
    """A small Decree 335-shaped example policy, built in Python (used in tests and examples)."""
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
