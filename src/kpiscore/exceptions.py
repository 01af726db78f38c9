"""The errors kpiscore raises.

Every error the library raises on purpose derives from one root, :class:`KpiscoreError`, and each
leaf also derives from the matching built-in, so ``except ValueError`` keeps working for callers who
do not know kpiscore::

    KpiscoreError
    ├── PolicyError (ValueError)             an invalid policy: a field, a rule, a band, a cap
    │   └── PolicyValidationError (ExceptionGroup)   several policy problems, reported together
    ├── InputError (ValueError)              bad facts or arguments: events, measures, periods
    │   ├── InputErrorGroup (ExceptionGroup) several bad facts (of score_frame's frames), together
    │   ├── MissingInputError (LookupError)  a measure the policy needs was not given
    │   ├── UnknownSubjectError (LookupError) a fact names someone outside the population
    │   ├── UnknownKindError (LookupError)   an event kind the policy neither scores nor lists
    │   ├── DuplicateEventError              the same event given twice
    │   └── PeriodError                      a period outside the policy's validity, or malformed
    ├── FileFormatError (ValueError)         a policy, fact or case file that cannot be read
    │   └── FileFormatErrorGroup (ExceptionGroup)    several problems in one file, together
    ├── UnknownPolicyError (LookupError)     no bundled policy or table with that id
    ├── CalendarError (ValueError)           no working calendar for a year, bad calendar data
    └── MissingExtraError (ImportError)      an optional extra (pandas, holidays…) is missing

Messages name the thing, the field, the value received and what was expected, for example
``criterion 'training': max_points must be >= 0 (got Decimal('-15'))``.

>>> from kpiscore import Criterion, KpiscoreError
>>> try:
...     Criterion(id="training", name="Training", max_points=-15)
... except KpiscoreError as error:
...     print(error)
criterion 'training': max_points must be >= 0 (got Decimal('-15'))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Self, TypeVar

__all__ = [
    "CalendarError",
    "DuplicateEventError",
    "FileFormatError",
    "FileFormatErrorGroup",
    "InputError",
    "InputErrorGroup",
    "KpiscoreError",
    "MissingExtraError",
    "MissingInputError",
    "OutputError",
    "PeriodError",
    "PolicyError",
    "PolicyValidationError",
    "UnknownKindError",
    "UnknownPolicyError",
    "UnknownSubjectError",
]


_E = TypeVar("_E", bound=Exception)


class KpiscoreError(Exception):
    """Root of every error kpiscore raises on purpose.

    Attributes:
        path: Where the problem is, as a dotted path into a policy or a file location
            (``"categories.soft.criteria.training.max_points"``, ``"events.csv:12:quantity"``),
            or ``None`` when the error is not about one place.
    """

    path: str | None = None

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path

    def __reduce__(self) -> tuple[Callable[..., KpiscoreError], tuple[object, ...]]:
        # Keep the path across pickling (multiprocessing, concurrent.futures).
        return (_rebuild, (type(self), str(self), self.path))


def _rebuild(cls: type[KpiscoreError], message: str, path: str | None) -> KpiscoreError:
    return cls(message, path=path)


class PolicyError(KpiscoreError, ValueError):
    """A policy, or one of its parts, is invalid."""


class _ProblemGroup(ExceptionGroup[_E]):
    """Several problems reported at once: ``str()`` lists them one per line."""

    def __new__(cls, message: str, exceptions: Sequence[_E]) -> Self:
        return super().__new__(cls, message, exceptions)

    def __init__(self, message: str, exceptions: Sequence[_E]) -> None:
        ExceptionGroup.__init__(self, message, exceptions)
        self.path: str | None = None

    def __str__(self) -> str:
        lines = [self.message]
        lines.extend(f"  - {problem}" for problem in self.exceptions)
        return "\n".join(lines)

    def derive(self, excs: Sequence[_E]) -> Self:  # type: ignore[override]
        return type(self)(self.message, excs)

    def __reduce__(self) -> tuple[type[Self], tuple[str, list[_E | ExceptionGroup[_E]]]]:
        return (type(self), (self.message, list(self.exceptions)))


class PolicyValidationError(_ProblemGroup[PolicyError], PolicyError):
    """Several problems found while validating one policy, all reported at once.

    ``str(error)`` lists every problem, one per line; ``error.exceptions`` holds them as
    :class:`PolicyError` instances, each with its ``path``.
    """


class InputError(KpiscoreError, ValueError):
    """A fact or an argument is invalid: an event, a measure, a person, a period, a number."""


class InputErrorGroup(_ProblemGroup[InputError], InputError):  # noqa: N818
    """Several bad facts found in one call, all reported at once (:func:`kpiscore.score_frame`
    lists every bad cell of its frames, each named by its frame and row label).

    ``except InputError`` catches it as it catches one problem; ``error.exceptions`` holds
    each problem (a :class:`MissingInputError`, an :class:`UnknownSubjectError`…).
    """


class MissingInputError(InputError, LookupError):
    """A measure the policy needs for a subject was not given (policy ``missing="error"``)."""


class UnknownSubjectError(InputError, LookupError):
    """A fact names a subject that is not in the population being scored."""


class UnknownKindError(InputError, LookupError):
    """An event's kind is used by no rule or cap of the policy and not listed in its
    ``other_kinds`` (a misspelt kind would otherwise cost nothing); ``unknown_kinds="ignore"``
    leaves such events out instead."""


class DuplicateEventError(InputError):
    """Two events name the same subject and ``ref``, or are identical without a ``ref`` (a row
    counted twice); ``duplicates="allow"`` counts both instead."""


class PeriodError(InputError):
    """A period is malformed, or lies outside the policy's ``valid_from``..``valid_to``."""


class FileFormatError(KpiscoreError, ValueError):
    """A policy, fact or case file cannot be read; the message names the file and the place."""


class FileFormatErrorGroup(_ProblemGroup[FileFormatError], FileFormatError):  # noqa: N818
    """Several problems found in one file, all reported at once."""


class OutputError(KpiscoreError, OSError):
    """An output file cannot be written, or would overwrite one of the inputs."""


class UnknownPolicyError(KpiscoreError, LookupError):
    """No bundled policy (or payout table) has the id asked for."""


class CalendarError(KpiscoreError, ValueError):
    """No working calendar is available for a year, or calendar data is invalid."""


class MissingExtraError(KpiscoreError, ImportError):
    """An optional extra is needed but not installed; the message names the extra to install."""
