"""Response bodies, described for the OpenAPI document.

The bodies themselves are written by the library (``ScoreTable.to_json()``,
``Scorecard.to_dict()``, ``Comparison.to_json()``, ``Policy.to_dict()``): canonical JSON, keys
sorted, numbers as decimal strings. The library has no machine-readable description of its result
trees (it has one of its policy files, :func:`kpiscore.policy_schema`, which the document uses), so
these ``TypedDict`` classes describe them for clients generated from the OpenAPI document; the
server's tests validate real answers against them, with no key missing and none extra.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from kpiscore.server._requests import PolicyDocument

__all__ = [
    "ComparisonBody",
    "ExplainBody",
    "HealthBody",
    "NoticeBody",
    "PolicyBody",
    "PolicyListBody",
    "ProblemBody",
    "ReadyBody",
    "ScoreTableBody",
    "ScorecardBody",
    "ValidateBody",
]

Number = str
"""An exact decimal written as a string (``"92.50"``), as the library writes every number."""


class _PersonFields(TypedDict):
    id: str
    name: str | None
    unit: str | None
    group: str | None
    position: str | None


class PersonBody(_PersonFields, total=False):
    """A person and the attributes reports group by."""

    #: The person's other attributes (a people file's other columns), when there are any.
    attributes: dict[str, str]


class LedgerEventBody(TypedDict):
    """An event as a ledger line lists it (its subject is the scorecard's)."""

    kind: str
    on: str
    quantity: Number
    excused: bool
    ref: str | None
    note: str | None


class RuleLineBody(TypedDict):
    """What one deduction or award did to a criterion (signed: deductions are negative)."""

    rule: str
    kind: Literal["deduction", "award"]
    on: str
    name: str | None
    reference: str | None
    per: str
    points: Number
    events: list[LedgerEventBody]
    exempted: list[LedgerEventBody]
    requested: Number
    limit: Number | None
    limited: Number
    absorbed: Number
    absorbed_by: Literal["floor", "max"] | None
    carried: Number
    applied: Number


class CriterionBody(TypedDict):
    """One criterion's result: its start, every rule, the clamp, the points."""

    id: str
    name: str
    basis: str
    max_points: Number
    floor: Number
    weight: Number
    overflow: str
    reference: str | None
    start: Number
    measure: Number | None
    ratio_capped: bool
    missing: Literal["zero", "exclude"] | None
    excluded: bool
    rules: list[RuleLineBody]
    raw: Number
    points: Number
    absorbed_by_floor: Number
    absorbed_by_max: Number
    raised_by_floor: Number
    carried: Number


class CategoryBody(TypedDict):
    """One category's result and its criteria."""

    id: str
    name: str
    max_points: Number
    points: Number
    weighted: bool
    reference: str | None
    criteria: list[CriterionBody]


class CapLineBody(TypedDict):
    """A rating cap that matched events in the period."""

    on: str
    at_most: str
    name: str | None
    reference: str | None
    events: list[LedgerEventBody]
    exempted: list[LedgerEventBody]
    lowered: bool


class AdjustmentBody(TypedDict):
    """A change made to a rating after scoring (a quota), with its reason."""

    kind: str
    from_rating: str | None
    to_rating: str | None
    reason: str
    reason_vi: str | None
    reference: str | None


class ScorecardBody(TypedDict):
    """One person's scorecard for one period, with the ledger behind every point."""

    subject: str
    person: PersonBody
    period: str
    period_start: str
    period_end: str
    policy_id: str
    policy_version: str
    fingerprint: str
    total: Number
    max_total: Number
    rating: str | None
    score_rating: str | None
    carried: Number
    clamped: Number
    categories: list[CategoryBody]
    caps: list[CapLineBody]
    adjustments: list[AdjustmentBody]


class NoticeBody(TypedDict):
    """Facts the answer left out, counted (``kpiscore.Notice``): nothing is dropped unsaid.

    ``what`` is ``"events"``; ``why`` is ``"outside the period"`` (dated outside the period
    scored) or ``"excused"`` (inside it, with a valid reason: they cost nothing, and the
    ledger lists them as exempted).
    """

    what: str
    count: int
    why: Literal["outside the period", "excused"]


class ScoreTableBody(TypedDict):
    """``POST /score``: every scorecard, in the order of ``people`` (``ScoreTable.to_json()``),
    and ``notices``, the facts left out (``ScoreTable.notices``; empty when none were)."""

    policy_id: str
    policy_version: str
    fingerprint: str
    period: str
    scorecards: list[ScorecardBody]
    notices: list[NoticeBody]


class ExplainBody(TypedDict):
    """``POST /explain``: one person's ledger as text, the scorecard it explains, and the
    facts of the request left out (``notices``, as for ``POST /score``)."""

    subject: str
    lang: Literal["vi", "en"]
    text: str
    scorecard: ScorecardBody
    notices: list[NoticeBody]


class PolicyRefBody(TypedDict):
    """Which policy, exactly."""

    id: str
    version: str
    fingerprint: str


class PointsMoveBody(TypedDict):
    """A category or criterion whose reported points differ between base and variant."""

    id: str
    category: str | None
    base_points: Number | None
    variant_points: Number | None
    delta: Number | None


class ComparisonRowBody(TypedDict):
    """One person under the base and under the variant."""

    subject: str
    name: str | None
    unit: str | None
    group: str | None
    position: str | None
    base_total: Number
    variant_total: Number
    delta: Number
    base_rating: str | None
    variant_rating: str | None
    move: Literal["up", "down", "same"]
    categories: list[PointsMoveBody]
    criteria: list[PointsMoveBody]


class ComparisonSummaryBody(TypedDict):
    """Headline figures; a policy without bands is counted under the rating ``"null"``."""

    count: int
    up: int
    down: int
    same: int
    totals_changed: int
    mean_delta: Number | None
    min_delta: Number | None
    max_delta: Number | None
    ratings: list[str]
    transitions: dict[str, dict[str, int]]
    base_distribution: dict[str, int]
    variant_distribution: dict[str, int]


class ComparisonBody(TypedDict):
    """``POST /compare``: the comparison, person by person (``Comparison.to_json()``), and
    the events of the request left out of both sides (``notices``, as for ``POST /score``)."""

    period: str
    base: PolicyRefBody
    variant: PolicyRefBody
    summary: ComparisonSummaryBody
    rows: list[ComparisonRowBody]
    notices: list[NoticeBody]


class PolicyEntryBody(TypedDict):
    """A served policy, in the listing."""

    id: str
    name: str
    version: str
    fingerprint: str
    max_total: Number
    valid_from: str | None
    valid_to: str | None
    source: Literal["bundled", "file"]


class PolicyBody(TypedDict):
    """``GET /policies/{id}``: the policy's tree (as a policy file holds it) and fingerprint."""

    id: str
    fingerprint: str
    source: Literal["bundled", "file"]
    policy: PolicyDocument


class PolicyListBody(TypedDict):
    """``GET /policies``: every served policy, by id."""

    policies: list[PolicyEntryBody]


class ProblemEntryBody(TypedDict):
    """One problem: the library's message, the place in the body, the library's error class."""

    detail: str
    path: str | None
    error: str | None


class ValidateBody(TypedDict):
    """``POST /validate``: whether the policy is valid, and every problem when it is not."""

    valid: bool
    id: str | None
    version: str | None
    fingerprint: str | None
    problems: list[ProblemEntryBody]


class ProblemBody(TypedDict):
    """A problem details body (RFC 9457), for every answer 4xx or 5xx.

    ``detail`` is the library's message; ``path`` the offending field in the request body
    (``events[3].on``), when there is one; ``errors`` every problem when there are several;
    ``error`` the library's error class (``PolicyError``, ``UnknownSubjectError``…); ``type``
    a stable URI per kind of problem (``urn:kpiscore:problem:limit-exceeded``; see
    ``docs/errors.md``); ``request_id`` the request's ``X-Request-Id``.
    """

    type: str
    title: str
    status: int
    detail: str
    path: str | None
    error: str | None
    errors: list[ProblemEntryBody]
    request_id: str | None


class HealthBody(TypedDict):
    """``GET /healthz``: the process answers."""

    status: Literal["ok"]
    version: str


class ReadyBody(TypedDict):
    """``GET /readyz``: the policies are loaded and served.

    ``fingerprint`` is the SHA-256 of the served policies' ids and fingerprints (it changes
    when a reload changes them); ``reload_error`` why the last reload was refused, if it was.
    """

    status: Literal["ready"]
    policies: int
    fingerprint: str
    reload_error: str | None
