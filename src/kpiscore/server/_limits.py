"""How much work one request may ask for: the limits, their defaults, and their checks.

Every limit is a ``kpiscore serve`` option; a request past one gets a 422 problem (413 for the
body) naming the limit, the value asked for and the option that raises it. They are checked
before any scoring, so a request refused costs no more than reading its body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

import attrs

from kpiscore.exceptions import InputError
from kpiscore.model.policy import Policy

__all__ = ["DEFAULT_LIMITS", "LimitError", "Limits", "count_nodes"]


class LimitError(InputError):
    """A request asks for more work than the server's limits allow (HTTP 422)."""


#: The type of the field a validator is on (validators here serve fields of several types).
_V = TypeVar("_V")


def _positive(_: object, attribute: attrs.Attribute[_V], value: _V) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(f"Limits.{attribute.name}: expected a positive number (got {value!r})")


@attrs.frozen(kw_only=True)
class Limits:
    """The bounds of one request's work; see ``docs/server.md`` (section *Limits*).

    Attributes:
        max_body: The largest request body, in bytes (``--max-body``); a larger one gets 413.
        max_people: People in one request (``--max-people``).
        max_facts: Events and measures together in one request (``--max-facts``).
        max_overlay: Entries of an ``overlay`` (``--max-overlay``).
        max_policy_nodes: JSON values (objects, arrays, strings, numbers…) in one inline policy
            document (``--max-policy-nodes``).
        max_criteria: Criteria of an inline policy (``--max-criteria``).
        max_rules: Deductions, awards and rating caps of an inline policy (``--max-rules``).
        max_bands: Rating bands of an inline policy (``--max-bands``).
        max_lines: People times the policy's criteria and rules: the size of the answer's
            ledger (``--max-lines``); keeps an answer a bounded multiple of its request.
        max_answer: The largest answer body, in bytes (``--max-answer``).
        timeout: Seconds a request may take once its body is read (``--timeout``); past it the
            scoring is stopped and the answer is 503.
        body_timeout: Seconds a client may take to send its headers and its body
            (``--body-timeout``); a slower one gets 408 and the connection is closed.
        max_in_flight: Requests one worker serves at once (``--max-in-flight``); past it the
            answer is 503 with ``Retry-After``.

    >>> DEFAULT_LIMITS.max_people, DEFAULT_LIMITS.timeout
    (10000, 10.0)
    """

    max_body: int = attrs.field(default=16 * 2**20, validator=_positive)
    max_people: int = attrs.field(default=10_000, validator=_positive)
    max_facts: int = attrs.field(default=200_000, validator=_positive)
    max_overlay: int = attrs.field(default=100, validator=_positive)
    max_policy_nodes: int = attrs.field(default=20_000, validator=_positive)
    max_criteria: int = attrs.field(default=200, validator=_positive)
    max_rules: int = attrs.field(default=1_000, validator=_positive)
    max_bands: int = attrs.field(default=20, validator=_positive)
    max_lines: int = attrs.field(default=500_000, validator=_positive)
    max_answer: int = attrs.field(default=64 * 2**20, validator=_positive)
    timeout: float = attrs.field(default=10.0, converter=float, validator=_positive)
    body_timeout: float = attrs.field(default=20.0, converter=float, validator=_positive)
    max_in_flight: int = attrs.field(default=64, validator=_positive)

    def check_policy_document(self, field: str, tree: object) -> None:
        """Refuse an inline policy document larger than ``max_policy_nodes`` before reading it."""
        nodes = count_nodes(tree, self.max_policy_nodes + 1)
        if nodes > self.max_policy_nodes:
            raise LimitError(
                f"{field}: the policy document holds more than {self.max_policy_nodes:,} JSON"
                f" values; expected at most {self.max_policy_nodes:,} (--max-policy-nodes)",
                path=field,
            )

    def check_policy(self, field: str, policy: Policy) -> None:
        """Refuse an inline policy with too many criteria, rules or bands."""
        criteria = [criterion for category in policy.categories for criterion in category.criteria]
        rules = sum(len(c.deductions) + len(c.awards) for c in criteria) + len(policy.caps)
        for what, count, limit, option in (
            ("criteria", len(criteria), self.max_criteria, "--max-criteria"),
            ("deductions, awards and caps", rules, self.max_rules, "--max-rules"),
            ("bands", len(policy.bands), self.max_bands, "--max-bands"),
        ):
            if count > limit:
                raise LimitError(
                    f"{field}: the policy has {count:,} {what}; expected at most {limit:,}"
                    f" ({option})",
                    path=field,
                )

    def check_facts(
        self, people: Sequence[object], events: Sequence[object], measures: Sequence[object]
    ) -> None:
        """Refuse more people or facts than allowed."""
        if len(people) > self.max_people:
            raise LimitError(
                f"people: {len(people):,} people; expected at most {self.max_people:,} per"
                " request (--max-people); send them in several requests",
                path="people",
            )
        facts = len(events) + len(measures)
        if facts > self.max_facts:
            raise LimitError(
                f"events and measures: {facts:,} facts; expected at most {self.max_facts:,} per"
                " request (--max-facts); send fewer people per request",
                path="measures",
            )

    def check_overlay(self, overlay: Mapping[str, object] | None) -> None:
        """Refuse an overlay with too many entries."""
        if overlay is not None and len(overlay) > self.max_overlay:
            raise LimitError(
                f"overlay: {len(overlay):,} entries; expected at most {self.max_overlay:,}"
                " (--max-overlay)",
                path="overlay",
            )

    def check_lines(self, people: int, policy: Policy, *, policies: int = 1) -> None:
        """Refuse an answer whose ledger would exceed ``max_lines`` lines."""
        per_person = 1 + sum(
            1 + len(criterion.deductions) + len(criterion.awards)
            for category in policy.categories
            for criterion in category.criteria
        )
        lines = people * per_person * policies
        if lines > self.max_lines:
            raise LimitError(
                f"people: {people:,} people under a policy of {per_person:,} ledger lines each"
                f" make {lines:,} lines; expected at most {self.max_lines:,} (--max-lines);"
                " send fewer people per request",
                path="people",
            )

    def check_answer(self, size: int) -> None:
        """Refuse an answer larger than ``max_answer`` bytes."""
        if size > self.max_answer:
            raise LimitError(
                f"answer: {size:,} bytes; expected at most {self.max_answer:,} (--max-answer);"
                " send fewer people per request"
            )


DEFAULT_LIMITS: Final = Limits()


def count_nodes(tree: object, stop: int) -> int:
    """The JSON values in ``tree`` (each object, array and scalar counts one), up to ``stop``.

    >>> count_nodes({"a": [1, 2], "b": "x"}, 100)
    5
    """
    count = 0
    stack = [tree]
    while stack and count < stop:
        node = stack.pop()
        count += 1
        if isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return count
