"""Test-case files: policies checked against worked examples, from the command line or pytest.

The public face of :mod:`kpiscore.testing.cases`, where the implementation and its full
documentation live; :mod:`kpiscore.testing.pytest_items` collects case files for pytest.
"""

# The implementation's names, exactly: its ``__all__`` is the public list, kept in one place.
from kpiscore.testing.cases import *  # noqa: F403
from kpiscore.testing.cases import __all__ as __all__
