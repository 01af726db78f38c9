"""``kpiscore demo``: the bundled sample workforce scored under Decree 335/2025, and explained."""

from __future__ import annotations

import argparse
import os
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

from kpiscore import policies
from kpiscore.cli.terminal import plain_table
from kpiscore.engine.exact import score_many
from kpiscore.io.load import load_events, load_measures, load_people
from kpiscore.io.numbers_vi import format_number
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import quantize_fraction
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
    "write_sample",
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
        "quota": "Quota (Decree 335/2025): at most {share} of {base} people (HTXS, HTT) may be"
        " rated {rating}: {allowed} of the {rated} here.",
        "quota_kept": "The distribution keeps within the quota.",
        "quota_moved": "After the quota: {after} {rating}; {moved} moved to {next} ({who}).",
        "written": "The sample files are written to {folder}: {files}.",
    },
    "vi": {
        "title": "kpiscore — chạy thử",
        "sample": "Dữ liệu mẫu: {people} công chức tại {units} phòng, kỳ {period}",
        "policy": "Quy định: {id} — {name}",
        "fingerprint": "mã kiểm tra {fingerprint}",
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
        "quota": "Tỷ lệ (Nghị định 335/2025): xếp loại {rating} không quá {share} của {base}"
        " người (HTXS, HTT): {allowed} trong số {rated} người ở đây.",
        "quota_kept": "Phân bố xếp loại nằm trong tỷ lệ cho phép.",
        "quota_moved": "Sau khi áp dụng tỷ lệ: {after} người {rating}; {moved} người chuyển"
        " xuống {next} ({who}).",
        "written": "Đã ghi các tệp mẫu vào {folder}: {files}.",
    },
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore demo``."""
    command = subparsers.add_parser(
        "demo", help="score the bundled sample workforce and explain it"
    )
    command.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    command.add_argument(
        "--write",
        metavar="DIR",
        help="also write the sample's people, events and measures CSV files into DIR",
    )
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print :func:`run_demo`'s report (and write the sample files with ``--write DIR``)."""
    print(run_demo(lang=args.lang), end="")
    if args.write:
        written = write_sample(args.write)
        words = _WORDS[args.lang]
        print(words["written"].format(folder=args.write, files=", ".join(p.name for p in written)))
    return 0


#: The sample workforce's files, as ``kpiscore demo --write DIR`` writes them.
SAMPLE_FILES = ("people.csv", "events.csv", "measures.csv")


def write_sample(directory: str | os.PathLike[str]) -> list[Path]:
    """Write the bundled sample's CSV files into ``directory`` (created when missing).

    Each is written whole (:func:`kpiscore.io.output.write_atomic`): a starting point to score
    with ``kpiscore score`` and to open in a spreadsheet.

    >>> import tempfile
    >>> [path.name for path in write_sample(tempfile.mkdtemp())]
    ['people.csv', 'events.csv', 'measures.csv']
    """
    from kpiscore.io.output import write_atomic

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    source = resources.files("kpiscore").joinpath("data/sample")
    written = []
    for name in SAMPLE_FILES:
        write_atomic(folder / name, source.joinpath(name).read_bytes())
        written.append(folder / name)
    return written


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


def _share(count: int, total: int, lang: str = "en") -> str:
    """``count`` as a percentage of ``total``, to 0.1, half up (exact; never a float)."""
    share = quantize_fraction(Fraction(100 * count, total), Decimal("0.1"), "ROUND_HALF_UP")
    return f"{format_number(share, lang)} %"


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


def _quota_lines(table: ScoreTable, words: dict[str, str], lang: str) -> list[str]:
    """Whether the distribution keeps within Decree 335's quota on HTXS, and what it changes."""
    from kpiscore.cycle.quota import plan_quota

    (group,) = plan_quota(table)
    lines = [
        words["quota"].format(
            rating=group.rating,
            share=f"{format_number(group.share * 100, lang, keep_places=False)} %",
            base=group.base_count,
            allowed=group.allowed,
            rated=group.rated,
        )
    ]
    if not group.demoted:
        return [*lines, words["quota_kept"]]
    return [
        *lines,
        words["quota_moved"].format(
            after=len(group.kept),  # the plan says who keeps the rating: no second pass
            rating=group.rating,
            moved=len(group.demoted),
            next=group.next_rating,
            who=", ".join(group.demoted),
        ),
    ]


def run_demo(lang: str = "vi") -> str:
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
        (words["fingerprint"]).format(
            fingerprint=policy.fingerprint if lang != "vi" else policy.fingerprint[:12]
        ),
        "",
        words["distribution"],
    ]
    counts = table.distribution()
    rows = []
    for band in policy.bands_descending:
        count = counts.get(band.id, 0)
        name = band.name_en if lang != "vi" and band.name_en else band.name
        rows.append([band.id, name, str(count), _share(count, len(table), lang)])
    headers = [(words[key]) for key in ("rating", "name", "people", "share")]
    lines.append(plain_table(headers, rows, ["left", "left", "right", "right"]))
    summary = table.summary()
    lines += [
        "",
        (words["summary"]).format(
            mean=format_number(summary["mean"], lang),
            min=format_number(summary["min"], lang),
            max=format_number(summary["max"], lang),
        ),
        "",
        *_quota_lines(table, words, lang),
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
