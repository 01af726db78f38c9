"""The OpenFisca peer: the benchmark's policy as an OpenFisca tax-benefit system, for ``run.py``.

OpenFisca (``pip install openfisca-core``) is the microsimulation framework governments use
for rules of this kind: vectorised NumPy formulas over float arrays, one value per person and
period. This module writes the benchmark's policy (``workforce.SPEC``) the way an OpenFisca
user writes one, so that ``bench/run.py --methods frame,openfisca`` can time it against
``kpiscore.score_frame`` on the same facts:

- a ``person`` entity, and the policy's figures as OpenFisca parameters (a parameter tree,
  read per period inside the formulas);
- per deduction kind an input variable holding, per person, the live events of that kind
  counted (or their quantities summed, for a rule ``per="unit"``), and per ratio criterion
  an input variable with the person's ratio; a boolean input for a live reprimand;
- formula variables for each criterion's points (deduction, rule limit, floor at zero, the
  overflow carried for the two carrying criteria), the category sums, the task category
  (70 × the mean ratio), the total (each category rounded to the cent with ``round_``, the
  carried overflow subtracted, floored at zero) and the rating (an ``Enum``, bands by
  ``select``, the reprimand cap applied).

OpenFisca takes no event lists: the counting is done before, with pandas, from the same
DataFrames ``score_frame`` reads (live events of the quarter, grouped by person and kind;
measures pivoted to one column per criterion), and that counting is inside the timed call,
as is building the tax-benefit system (``score_frame``'s call builds and compiles its policy
too). OpenFisca has no quarter period: its variables are defined per year and the counting
keeps the quarter's events only.

The figures are floats: :func:`off_by_a_cent` counts the people whose total differs from the
exact one by a cent or more.
"""

from __future__ import annotations

import importlib
import importlib.util
from decimal import Decimal
from typing import Any

from workforce import PERIOD, SPEC

#: The OpenFisca period the variables are computed for (the year of the quarter).
YEAR = str(PERIOD.start.year)


def available() -> bool:
    """Whether openfisca-core is importable here."""
    return importlib.util.find_spec("openfisca_core") is not None


def _parameters() -> dict[str, Any]:
    """The policy's figures as an OpenFisca parameter tree (what a YAML file would hold)."""
    since = f"{YEAR}-01-01"

    def value(number: Decimal | None) -> dict[str, Any]:
        return {"values": {since: {"value": None if number is None else float(number)}}}

    tree: dict[str, Any] = {}
    for rule in SPEC["deductions"]:
        tree[rule["id"]] = {
            "max_points": value(rule["max_points"]),
            "points": value(rule["points"]),
            **({} if rule["limit"] is None else {"limit": value(rule["limit"])}),
        }
    tree["task_max"] = value(SPEC["task_max"])
    tree["bands"] = {band: value(low) for band, low in SPEC["bands"]}
    return tree


def tax_benefit_system() -> Any:
    """The benchmark's policy as an OpenFisca ``TaxBenefitSystem``."""
    # Imported by name: openfisca-core is an optional peer, without type information.
    entities, parameters, periods, taxbenefitsystems = (
        importlib.import_module(f"openfisca_core.{name}")
        for name in ("entities", "parameters", "periods", "taxbenefitsystems")
    )
    api = importlib.import_module("openfisca_core.model_api")
    Enum, Variable = api.Enum, api.Variable  # noqa: N806 - OpenFisca's class names
    max_, min_, round_, select, where = api.max_, api.min_, api.round_, api.select, api.where

    person = entities.build_entity(
        key="person", plural="persons", label="A person scored", is_person=True
    )
    system = taxbenefitsystems.TaxBenefitSystem([person])
    system.parameters = parameters.ParameterNode("", data={"bench": _parameters()})
    year = periods.DateUnit.YEAR

    def variable(name: str, value_type: type = float, **body: Any) -> None:
        system.add_variable(
            type(
                name,
                (Variable,),
                {
                    "value_type": value_type,
                    "entity": person,
                    "definition_period": year,
                    "label": name,
                    **body,
                },
            )
        )

    def criterion(rule: dict[str, Any]) -> Any:
        key, kind, carry = rule["id"], rule["kind"], rule["overflow"] == "carry"

        def formula(persons: Any, period: Any, parameters: Any) -> Any:
            p = parameters(period).bench[key]
            requested = p.points * persons(kind, period)
            if rule["limit"] is not None:
                requested = min_(requested, p.limit)
            raw = p.max_points - requested
            return raw if carry else max_(raw, 0)

        return formula

    categories: dict[str, list[str]] = {"discipline": [], "professional": []}
    carrying: list[str] = []
    for rule in SPEC["deductions"]:
        # Per person: the live events of this kind counted (per="unit": quantities summed).
        variable(rule["kind"])
        variable(f"{rule['id']}_raw", formula=criterion(rule))
        categories[rule["category"]].append(rule["id"])
        if rule["overflow"] == "carry":
            carrying.append(rule["id"])

    def points(key: str) -> Any:
        if key not in carrying:
            return lambda persons, period: persons(f"{key}_raw", period)
        return lambda persons, period: max_(persons(f"{key}_raw", period), 0)

    for keys in categories.values():
        for key in keys:
            variable(key, formula=points(key))

    def category(keys: list[str]) -> Any:
        return lambda persons, period: sum(persons(key, period) for key in keys)

    for name, keys in categories.items():
        variable(name, formula=category(keys))
    for ratio in SPEC["ratios"]:
        variable(ratio)

    def task(persons: Any, period: Any, parameters: Any) -> Any:
        ratios = sum(persons(ratio, period) for ratio in SPEC["ratios"])
        return parameters(period).bench.task_max * ratios / len(SPEC["ratios"])

    variable("task", formula=task)

    def carried(persons: Any, period: Any) -> Any:
        return sum(max_(-persons(f"{key}_raw", period), 0) for key in carrying)

    variable("carried", formula=carried)

    def total(persons: Any, period: Any) -> Any:
        summed = (
            round_(persons("discipline", period), 2)
            + round_(persons("professional", period), 2)
            + round_(persons("task", period), 2)
            - round_(persons("carried", period), 2)
        )
        return max_(summed, 0)

    variable("total", formula=total)
    variable(SPEC["cap_kind"], value_type=bool)
    names = [band for band, _ in SPEC["bands"]]
    rating_enum = Enum("Rating", [(band, band) for band in names])  # a functional Enum

    def rating(persons: Any, period: Any, parameters: Any) -> Any:
        bands = parameters(period).bench.bands
        score = persons("total", period)
        banded = select(
            [score >= bands[band] for band in names], [rating_enum[band] for band in names]
        )
        capped = rating_enum[SPEC["cap_band"]]
        return where(persons(SPEC["cap_kind"], period), capped, banded)

    variable(
        "rating",
        value_type=Enum,
        possible_values=rating_enum,
        default_value=rating_enum[names[-1]],
        formula=rating,
    )
    return system


def counted(people: Any, events: Any, measures: Any) -> dict[str, Any]:
    """The OpenFisca inputs from the frames, counted with pandas and NumPy as an OpenFisca
    user counts them: per person and kind, the live events of the quarter counted (or their
    quantities summed) with one ``bincount`` over (person, kind) cells; the ratios put in
    place per person; a flag for a live reprimand. Subjects and kinds are looked up once
    per category (the frames' columns are categorical, as ``read_csv`` gives them)."""
    import numpy as np
    import pandas as pd

    ids = pd.Index(people["id"])
    n = len(ids)
    start, end = pd.Timestamp(PERIOD.start), pd.Timestamp(PERIOD.end)
    live = events[~events["excused"] & events["on"].between(start, end)]

    def positions(column: Any, against: Any) -> Any:
        return against.get_indexer(column.cat.categories)[column.cat.codes.to_numpy()]

    kinds = pd.Index([rule["kind"] for rule in SPEC["deductions"]] + [SPEC["cap_kind"]])
    person, kind = positions(live["subject"], ids), positions(live["kind"], kinds)
    cell = person * len(kinds) + kind
    size = n * len(kinds)
    counts = np.bincount(cell, minlength=size).reshape(n, len(kinds))
    weights = live["quantity"].to_numpy(float)
    sums = np.bincount(cell, weights=weights, minlength=size).reshape(n, len(kinds))
    inputs: dict[str, Any] = {}
    for column, rule in enumerate(SPEC["deductions"]):
        inputs[rule["kind"]] = (sums if rule["per"] == "unit" else counts)[:, column]
    inputs[SPEC["cap_kind"]] = counts[:, -1] > 0
    ratios = pd.Index(SPEC["ratios"])
    at = positions(measures["subject"], ids) * len(ratios)
    at = at + positions(measures["criterion"], ratios)
    flat = np.zeros(n * len(ratios))
    flat[at] = measures["value"].to_numpy(float)
    values = flat.reshape(n, len(ratios))
    for column, ratio in enumerate(SPEC["ratios"]):
        inputs[ratio] = values[:, column]
    return inputs


def openfisca(people: Any, events: Any, measures: Any) -> tuple[Any, Any, Any]:
    """Score the frames with OpenFisca: (ids, totals as floats, ratings as band ids)."""
    import numpy as np

    builder = importlib.import_module("openfisca_core.simulation_builder").SimulationBuilder

    system = tax_benefit_system()
    inputs = counted(people, events, measures)
    n = len(people)
    simulation = builder().build_default_simulation(system, n)
    for name, value in inputs.items():
        simulation.set_input(name, YEAR, np.broadcast_to(value, n))
    total = simulation.calculate("total", YEAR)
    rating = simulation.calculate("rating", YEAR).decode_to_str()
    return people["id"], total, rating


def comparable(result: tuple[Any, Any, Any]) -> dict[str, tuple[str, str | None]]:
    """``{subject: (total to the cent as text, rating)}``: the float total printed with two
    places, as a report would print it."""
    ids, totals, ratings = result
    return {
        person: (f"{total:.2f}", str(rating))
        for person, total, rating in zip(ids, totals.tolist(), ratings, strict=True)
    }


def off_by_a_cent(
    exact: dict[str, tuple[str, str | None]], floats: dict[str, tuple[str, str | None]]
) -> tuple[int, int]:
    """(people whose printed total differs from the exact one by a cent or more, people whose
    rating differs)."""
    cents = sum(
        1
        for person, (total, _) in exact.items()
        if abs(Decimal(floats[person][0]) - Decimal(total)) >= Decimal("0.01")
    )
    ratings = sum(1 for person, (_, rating) in exact.items() if floats[person][1] != rating)
    return cents, ratings
