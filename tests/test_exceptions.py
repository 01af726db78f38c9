"""The error tree: one root, built-in parents, pickling, grouped problems."""

from __future__ import annotations

import pickle

import pytest

from kpiscore import exceptions
from kpiscore.exceptions import (
    CalendarError,
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    KpiscoreError,
    MissingExtraError,
    MissingInputError,
    PeriodError,
    PolicyError,
    PolicyValidationError,
    UnknownPolicyError,
    UnknownSubjectError,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        pytest.param(PolicyError, ValueError, id="policy"),
        pytest.param(InputError, ValueError, id="input"),
        pytest.param(MissingInputError, LookupError, id="missing"),
        pytest.param(UnknownSubjectError, LookupError, id="subject"),
        pytest.param(PeriodError, ValueError, id="period"),
        pytest.param(FileFormatError, ValueError, id="file"),
        pytest.param(UnknownPolicyError, LookupError, id="unknown-policy"),
        pytest.param(CalendarError, ValueError, id="calendar"),
        pytest.param(MissingExtraError, ImportError, id="extra"),
    ],
)
def test_every_error_has_one_root_and_a_builtin_parent(cls: type[Exception], builtin: type) -> None:
    error = cls("message")
    assert isinstance(error, KpiscoreError)
    assert isinstance(error, builtin)


def test_every_public_error_is_listed() -> None:
    names = {
        name
        for name, value in vars(exceptions).items()
        if isinstance(value, type) and issubclass(value, KpiscoreError)
    }
    assert names == set(exceptions.__all__)


def test_errors_pickle_with_their_path() -> None:
    error = PolicyError("criterion 'x': bad", path="categories.a.criteria.x")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (type(error), str(error), error.path) == (type(again), str(again), again.path)


@pytest.mark.parametrize("group", [PolicyValidationError, FileFormatErrorGroup])
def test_groups_list_every_problem(group: type) -> None:
    member = PolicyError if group is PolicyValidationError else FileFormatError
    error = group("policy 'p': 2 problems", [member("first"), member("second")])
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object

    assert "policy 'p': 2 problems\n  - first\n  - second" == str(error)
    assert isinstance(error, KpiscoreError)
    assert isinstance(error, ExceptionGroup)
    assert [str(e) for e in error.exceptions] == [str(e) for e in again.exceptions]


def test_group_can_be_split_with_except_star() -> None:
    caught: list[str] = []
    try:
        raise PolicyValidationError("p: 2 problems", [PolicyError("a"), PolicyError("b")])
    except* PolicyError as group:
        caught.extend(str(e) for e in group.exceptions)
    assert ["a", "b"] == caught
