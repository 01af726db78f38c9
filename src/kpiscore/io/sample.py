"""The sample workforce of ``kpiscore demo``: generated once, deterministically, shipped as CSV.

Three hundred civil servants without a leading position in six offices of a provincial
department, with what Decree 335/2025 needs to score them for the first quarter of 2026: the three
assessed general criteria, the quantity / quality / on-time ratios from converted work units, and a
few discipline events. The figures are invented but shaped like real ones: most people "good",
some "excellent", a few "completed", a reprimand or two.

The shipped files in ``kpiscore/data/sample/`` are the source of truth; this module rebuilds them
(a test checks they are equal), using only :meth:`random.Random.random` with a fixed seed, whose
sequence Python keeps stable across versions and platforms::

    python -m kpiscore.io.sample src/kpiscore/data/sample
"""

from __future__ import annotations

import csv
import io
import random
from typing import Final

__all__ = ["FILES", "generate"]

FILES: Final = ("people.csv", "events.csv", "measures.csv")
SEED: Final = 3352025
SIZE: Final = 300

_FAMILY: Final = (
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh",
    "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
)  # fmt: skip
_MIDDLE_MALE: Final = ("Văn", "Minh", "Đức", "Hữu", "Quang", "Thanh", "Công", "Xuân")
_MIDDLE_FEMALE: Final = ("Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng")
_GIVEN_MALE: Final = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hoàng", "Hùng", "Khánh", "Long",
    "Nam", "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Đạt",
)  # fmt: skip
_GIVEN_FEMALE: Final = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan",
    "Linh", "Mai", "Ngân", "Nhung", "Phương", "Quyên", "Thảo", "Trang", "Vân", "Yến",
)  # fmt: skip
# (unit, group of similar tasks, share of the workforce in tenths of a percent)
_UNITS: Final = (
    ("Văn phòng Sở", "Hành chính, văn thư – lưu trữ", 220),
    ("Phòng Tổ chức cán bộ", "Tham mưu tổng hợp", 120),
    ("Phòng Kế hoạch – Tài chính", "Kế toán, tài chính", 180),
    ("Phòng Quản lý chuyên ngành", "Tham mưu chuyên môn", 260),
    ("Thanh tra Sở", "Thanh tra, kiểm tra", 130),
    ("Phòng Pháp chế", "Tham mưu tổng hợp", 90),
)
_POSITIONS: Final = (("Chuyên viên", 620), ("Chuyên viên chính", 230), ("Cán sự", 150))
# (profile, share in thousandths, assessed points range, quantity ratio range in thousandths)
_PROFILES: Final = (
    ("strong", 150, (8.5, 10.0), (940, 1050)),
    ("solid", 690, (7.5, 9.0), (820, 960)),
    ("weak", 135, (6.5, 8.0), (680, 850)),
    ("struggling", 25, (4.5, 6.5), (450, 650)),
)
_QUARTER_DAYS: Final = 90  # 2026-01-01 .. 2026-03-31


class _Draws:
    """Deterministic draws built on ``random()`` alone (its sequence is stable across versions)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)  # noqa: S311 - sample data, not security

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``."""
        return min(int(self._random.random() * n), n - 1)

    def pick(self, options: tuple[str, ...]) -> str:
        return options[self.below(len(options))]

    def weighted(self, options: tuple[tuple[str, int], ...]) -> str:
        total = sum(weight for _, weight in options)
        target = self.below(total)
        for value, weight in options:
            if target < weight:
                return value
            target -= weight
        raise AssertionError("unreachable")  # pragma: no cover

    def between(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        return low + self.below(high - low + 1)


def _half_points(draws: _Draws, low: float, high: float) -> str:
    """An assessed score in half points within ``[low, high]``, as text."""
    halves = draws.between(int(low * 2), int(high * 2))
    return f"{halves // 2}.5" if halves % 2 else f"{halves // 2}"


def _ratio(completed: int, assigned: int) -> str:
    """completed / assigned to three decimals, rounded half up, in integers only."""
    thousandths = (completed * 2000 + assigned) // (2 * assigned)
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def generate(seed: int = SEED, size: int = SIZE) -> dict[str, str]:
    """The sample's three CSV files, by name: people, events and measures."""
    draws = _Draws(seed)
    people: list[tuple[str, ...]] = []
    measures: list[tuple[str, ...]] = []
    events: list[tuple[str, ...]] = []
    unit_weights = tuple((unit, weight) for unit, _, weight in _UNITS)
    groups = {unit: group for unit, group, _ in _UNITS}
    profiles = tuple((name, weight) for name, weight, _, _ in _PROFILES)
    ranges = {name: (assessed, quantity) for name, _, assessed, quantity in _PROFILES}
    for number in range(1, size + 1):
        subject = f"nv{number:04d}"
        female = draws.below(2) == 0
        name = " ".join(
            (
                draws.pick(_FAMILY),
                draws.pick(_MIDDLE_FEMALE if female else _MIDDLE_MALE),
                draws.pick(_GIVEN_FEMALE if female else _GIVEN_MALE),
            )
        )
        unit = draws.weighted(unit_weights)
        people.append((subject, name, unit, groups[unit], draws.weighted(_POSITIONS)))
        (low, high), (q_low, q_high) = ranges[draws.weighted(profiles)]
        assessed = [_half_points(draws, low, high) for _ in range(3)]
        # Work in converted units (Decree 335 Art. 14): assigned, completed, of which meeting
        # quality and on time; completing more than assigned happens (the policy caps it at 1).
        assigned = draws.between(24, 60)
        completed = max(1, (assigned * draws.between(q_low, q_high) + 500) // 1000)
        good = completed - draws.below(max(1, completed // 8))
        on_time = completed - draws.below(max(1, completed // 5))
        ratios = [_ratio(completed, assigned), _ratio(good, assigned), _ratio(on_time, assigned)]
        if number == 2:
            # The worked example of the docs: general 27, ratios 0.9 / 0.875 / 0.825 -> 87.67 HTT.
            assessed, ratios = ["9", "9", "9"], ["0.9", "0.875", "0.825"]
        criteria = ("politics_ethics", "competence", "innovation", "quantity", "quality", "on_time")
        for criterion, value in zip(criteria, assessed + ratios, strict=True):
            measures.append((subject, criterion, value))
        roll = draws.below(1000)
        if roll < 12:
            day = 1 + draws.below(_QUARTER_DAYS)
            kind = "discipline_warning" if roll < 3 else "discipline_reprimand"
            on = f"{(day - 1) % 28 + 1:02d}/{(day - 1) // 30 + 1:02d}/2026"
            events.append((subject, kind, on, f"QĐ-{number:04d}/2026", "Quyết định kỷ luật"))
    return {
        "people.csv": _csv(("id", "name", "unit", "group", "position"), people),
        "events.csv": _csv(("subject", "kind", "on", "ref", "note"), events),
        "measures.csv": _csv(("subject", "criterion", "value"), measures),
    }


if __name__ == "__main__":  # pragma: no cover - the regeneration command in the docstring
    import pathlib
    import sys

    folder = pathlib.Path(sys.argv[1])
    for file_name, text in generate().items():
        (folder / file_name).write_text(text, encoding="utf-8", newline="")
