"""The policies a server serves: the bundled ones, and those of a folder of policy files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import attrs

from kpiscore import policies
from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    KpiscoreError,
    UnknownPolicyError,
)
from kpiscore.io.load import load_policy
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.numbers import canonical
from kpiscore.model.policy import Policy

__all__ = ["PolicyRegistry", "ServedPolicy"]

Source = Literal["bundled", "file"]


@attrs.frozen(kw_only=True)
class ServedPolicy:
    """A policy the server serves, and where it came from (never the file's path: callers
    need not know the server's folders)."""

    policy: Policy
    source: Source

    def entry(self) -> JsonObject:
        """The policy's line in ``GET /policies``."""
        policy = self.policy
        return {
            "id": policy.id,
            "name": policy.name,
            "version": policy.version,
            "fingerprint": policy.fingerprint,
            "max_total": canonical(policy.max_total),
            "valid_from": policy.valid_from.isoformat() if policy.valid_from else None,
            "valid_to": policy.valid_to.isoformat() if policy.valid_to else None,
            "source": self.source,
        }


class PolicyRegistry:
    """The served policies by id: every bundled policy, plus every policy file of a folder.

    Policies are read when the server starts; a reload builds a new registry and the service
    swaps it in whole (a policy is immutable), so concurrent requests share them safely and a
    request never sees half of a reload.

    A file of the folder that resolves outside it (a symbolic link to elsewhere) is refused.

    Args:
        folder: A folder of policy files (``*.toml``, ``*.json``; not its subfolders), or
            ``None`` for the bundled policies only.

    Raises:
        FileFormatError: the folder cannot be read, a file in it is not a valid policy, or two
            policies have the same id (a folder's policy may not take a bundled policy's id);
            :class:`~kpiscore.FileFormatErrorGroup` lists every problem of every file.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        served: dict[str, ServedPolicy] = {}
        for policy_id in policies.available():
            served[policy_id] = ServedPolicy(policy=policies.load(policy_id), source="bundled")
        origin = dict.fromkeys(served, "the bundled policies")
        if folder is not None:
            problems: list[FileFormatError] = []
            for path in _policy_files(Path(folder)):
                try:
                    policy = load_policy(path)
                except FileFormatErrorGroup as group:
                    problems.extend(p for p in group.exceptions if isinstance(p, FileFormatError))
                    continue
                except KpiscoreError as error:
                    problems.append(FileFormatError(str(error), path=error.path))
                    continue
                if policy.id in origin:
                    problems.append(
                        FileFormatError(
                            f"{path}: policy id {policy.id!r} is already served (from"
                            f" {origin[policy.id]}); give each policy its own id",
                            path=f"{path}:id",
                        )
                    )
                    continue
                origin[policy.id] = str(path)
                served[policy.id] = ServedPolicy(policy=policy, source="file")
            if len(problems) == 1:
                raise problems[0]
            if problems:
                raise FileFormatErrorGroup(
                    f"policies folder {str(folder)!r}: {len(problems)} problems", problems
                )
        self._served = dict(sorted(served.items()))

    def __iter__(self) -> Iterator[ServedPolicy]:
        return iter(self._served.values())

    def __len__(self) -> int:
        return len(self._served)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the served policies' ids and fingerprints: it changes with any of them."""
        text = "\n".join(
            f"{key} {served.policy.fingerprint}" for key, served in self._served.items()
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, policy_id: str) -> ServedPolicy:
        """The served policy with this id.

        Raises:
            UnknownPolicyError: no served policy has it; the message lists those there are.
        """
        try:
            return self._served[policy_id]
        except KeyError:
            raise UnknownPolicyError(
                f"no served policy has the id {policy_id!r}; expected one of {list(self._served)!r}"
                " (GET /policies), or a policy document"
            ) from None

    def resolve(self, policy: str | Policy) -> Policy:
        """A policy given in a request: a served policy's id, or the policy itself."""
        return policy if isinstance(policy, Policy) else self.get(policy).policy


def _policy_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FileFormatError(
            f"policies folder {str(folder)!r}: no such folder (expected a folder of .toml and"
            " .json policy files)",
            path=str(folder),
        )
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise FileFormatError(
            f"policies folder {str(folder)!r}: cannot be read ({error.strerror})",
            path=str(folder),
        ) from None
    root = folder.resolve()
    found = []
    for entry in entries:
        if entry.suffix.lower() not in (".toml", ".json") or not entry.is_file():
            continue
        if not entry.resolve().is_relative_to(root):
            raise FileFormatError(
                f"{entry}: resolves to {str(entry.resolve())!r}, outside the policies folder"
                f" {str(root)!r}; expected the folder's own files (copy the file in instead"
                " of linking to it)",
                path=str(entry),
            )
        found.append(entry)
    return found
