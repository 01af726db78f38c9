"""The bundled policies: the rules actually in force, shipped as policy files.

Each bundled policy is a TOML file in this package, in the format :func:`kpiscore.load_policy`
reads, with the legal article behind every rule in its ``reference`` and every value the law does
not fix marked as a local choice. Start from one with :func:`source` and change a copy, or score
with it directly:

==========================  ==================================================================
``vn-nd335-2025-staff``     Decree 335/2025/ND-CP, civil servants without a leading position
``vn-nd335-2025-leader``    Decree 335/2025/ND-CP, civil servants with a leading position
``hcm-qd20-2024``           Ho Chi Minh City Decision 20/2024/QĐ-UBND (bands 90/75/50, carry)
``university-kpi-example``  the illustrative university KPI scheme from the news case
==========================  ==================================================================

>>> from kpiscore import policies
>>> policies.available()
('hcm-qd20-2024', 'university-kpi-example', 'vn-nd335-2025-leader', 'vn-nd335-2025-staff')
>>> staff = policies.load("vn-nd335-2025-staff")
>>> staff.max_total, [band.min_points for band in staff.bands]
(Decimal('100'), [Decimal('90'), Decimal('70'), Decimal('50'), Decimal('0')])
"""

from __future__ import annotations

import functools
from typing import Final

from kpiscore.io.bundled import SUFFIX, BundledFiles
from kpiscore.io.load import parse_policy
from kpiscore.model.policy import Policy

__all__ = ["available", "load", "source"]


_FILES: Final = BundledFiles(__name__, "policy")

#: The ids of the bundled policies, sorted: ``"vn-nd335-2025-leader" in available()``.
available = _FILES.available
#: The text of a bundled policy file, comments included: ``source("hcm-qd20-2024")``.
source = _FILES.source


def load(policy_id: str) -> Policy:
    """The bundled policy with this id (policies are immutable, so each is read once).

    Raises:
        UnknownPolicyError: no bundled policy has that id; the message lists the ones there are.

    >>> load("hcm-qd20-2024").rating_for(Decimal("80"))
    'HTT'
    >>> load("vn-nd335-2025")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.UnknownPolicyError: no bundled policy 'vn-nd335-2025'; expected one of [...]
    """
    return _load(_FILES.known(policy_id))


@functools.cache
def _load(policy_id: str) -> Policy:
    name = f"kpiscore/policies/{policy_id}{SUFFIX}"
    return parse_policy(source(policy_id), name=name, fmt="toml")
