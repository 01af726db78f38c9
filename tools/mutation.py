"""Mutation testing of the scoring engine with mutmut, and its kill rate.

mutmut changes the engine's code one small edit at a time (``<`` for ``<=``, ``+`` for ``-``,
a constant, a dropped argument…) and runs the focused engine tests against each change; a
*killed* mutant is one some test noticed, a *surviving* one shows a behaviour no test pins down
(or an edit that changes nothing: an equivalent mutant, listed with its reason in
``tools/mutation_survivors.py``, beside this script).

mutmut is not a dependency of kpiscore (and must not become one): this script installs it into a
throw-away virtual environment of its own, copies the project there and runs it there, so the
working tree is never edited. It is CPU-heavy; on a shared machine run it with ``nice``::

    nice -n 19 python tools/mutation.py                      # engine/exact.py + compile.py
    nice -n 19 python tools/mutation.py --module model/numbers.py
    nice -n 19 python tools/mutation.py --module 'engine/columnar*.py'   # a glob, quoted
    python tools/mutation.py --report-only                   # figures of the last run again
    nice -n 19 python tools/mutation.py --resume             # a stopped run, continued
    nice -n 19 python tools/mutation.py --rerun              # survivors, against new tests
    python tools/mutation.py --rerun --in-process --test tests/test_new.py   # the same, fast

Modules are paths under ``src/kpiscore`` and may be globs (the columnar engine may be split
into several files). Mutating a columnar module adds the columnar tests and installs numpy,
pandas and pyarrow in the throw-away environment.

The last line printed is the kill rate, ``killed / (killed + survived + timeout + …)``; mutants
no selected test reaches (``no tests``) count as survivors, not as excluded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import venv
from collections import Counter
from pathlib import Path
from typing import Final

from mutation_survivors import EQUIVALENT, NOT_KILLED

ROOT: Final = Path(__file__).resolve().parent.parent
WORK: Final = Path(os.environ.get("KPISCORE_MUTATION_DIR", "/tmp/kpiscore-mutation"))  # noqa: S108
#: The fast tests that pin the engine down (no pandas, numpy or subprocesses).
TESTS: Final = (
    "tests/test_engine.py",
    "tests/property/test_engine_props.py",
    "tests/test_numbers.py",
    "tests/test_policy.py",
    "tests/test_scorecard.py",
    "tests/test_error_catalogue.py",
    "tests/test_engine_mutants.py",
)
#: The tests added when a columnar module is mutated.
COLUMNAR_TESTS: Final = (
    "tests/test_columnar.py",
    "tests/property/test_columnar_props.py",
    "tests/property/test_reference_props.py",
    "tests/test_fastcsv.py",
    "tests/test_columnar_errors.py",
    "tests/test_columnar_reliability.py",
    "tests/test_columnar_mutants.py",
)
#: The modules mutated by default: the exact engine and the policy compilation it uses.
DEFAULT_MODULES: Final = ("engine/exact.py", "engine/compile.py")
#: What the throw-away environment needs: mutmut and what the selected tests import.
REQUIREMENTS: Final = ("mutmut==3.8.1", "attrs", "python-dateutil", "hypothesis", "pytest")
#: Added for the columnar engine's tests.
COLUMNAR_REQUIREMENTS: Final = ("numpy", "pandas", "pyarrow")
#: mutmut's exit codes (mutmut.stats.status_by_exit_code), collapsed to the figures reported.
STATUS: Final = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}


# mutmut runs each test more than once in one process (to map tests to functions, then clean):
# hypothesis must not call that a flaky executor, must not time out in the slower mutated code,
# must draw the same examples every time so a mutant's fate does not depend on luck, and draws
# fewer of them (each surviving mutant runs every test that reaches it).
_HYPOTHESIS_PROFILE: Final = """
from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
)
settings.load_profile("mutation")
"""


def _environment(columnar: bool) -> Path:
    """The throw-away virtual environment with mutmut, created on first use."""
    python = WORK / "venv" / "bin" / "python"
    if not python.exists():
        venv.create(WORK / "venv", with_pip=True)
        # Our own interpreter and fixed arguments: nothing here comes from outside.
        install = [str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS]
        subprocess.run(install, check=True)  # noqa: S603
    if columnar:
        install = [str(python), "-m", "pip", "install", "--quiet", *COLUMNAR_REQUIREMENTS]
        subprocess.run(install, check=True)  # noqa: S603
    return python


def _expand(patterns: list[str]) -> list[str]:
    """Module paths under ``src/kpiscore`` (globs expanded, sorted, each once)."""
    source = ROOT / "src" / "kpiscore"
    found: list[str] = []
    for pattern in patterns:
        matches = sorted(path.relative_to(source).as_posix() for path in source.glob(pattern))
        if not matches:
            raise SystemExit(f"no module of src/kpiscore matches {pattern!r}")
        found.extend(match for match in matches if match not in found)
    return found


def _is_columnar(modules: list[str]) -> bool:
    return any("columnar" in module or "fastcsv" in module for module in modules)


def _project(modules: list[str], tests: list[str]) -> Path:
    """A fresh copy of the project for mutmut, with its configuration in ``setup.cfg``."""
    project = WORK / "project"
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for part in ("src", "tests", "docs"):
        shutil.copytree(
            ROOT / part, project / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for part in ("conftest.py", "pyproject.toml"):
        shutil.copy2(ROOT / part, project / part)
    with (project / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(_HYPOTHESIS_PROFILE)
    lines = [
        "[mutmut]",
        "source_paths = src/kpiscore",
        "also_copy =",
        "    conftest.py",
        "    docs",
        "only_mutate =",
        *(f"    src/kpiscore/{module}" for module in modules),
        "pytest_add_cli_args_test_selection =",
        *(f"    {test}" for test in tests if (project / test).exists()),
        "pytest_add_cli_args =",
        "    -p no:cacheprovider",
        "",
    ]
    (project / "setup.cfg").write_text("\n".join(lines), encoding="utf-8")
    return project


def _originals(project: Path, modules: list[str]) -> None:
    """Keep each mutated module as it was when the run started (for --rerun's check)."""
    for module in modules:
        original = project / "mutants" / "src" / "kpiscore" / f"{module}.orig"
        original.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / "src" / "kpiscore" / module, original)


def _counts(project: Path) -> tuple[Counter[str], list[str]]:
    """Mutant counts by status, and the names of the ones that were not killed."""
    counts: Counter[str] = Counter()
    alive: list[str] = []
    for meta in sorted((project / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in sorted(data.get("exit_code_by_key", {}).items()):
            status = STATUS.get(code, "timeout" if code in (36, 24, -24, 152, 255) else "other")
            if code is None:
                status = "not checked"
            counts[status] += 1
            if status != "killed":
                alive.append(f"{name}: {status}")
    return counts, alive


def _statuses(project: Path) -> dict[str, str]:
    """Each checked mutant's status, with the outcomes of ``--rerun`` merged in."""
    statuses: dict[str, str] = {}
    for line in _counts(project)[1]:
        name, status = line.split(": ")
        statuses[name] = status
    killed = {}
    for meta in sorted((project / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        killed.update(dict.fromkeys(data.get("exit_code_by_key", {}), "killed"))
    statuses = {**killed, **statuses}
    rerun = WORK / "rerun.json"
    if rerun.exists():
        # Mutants the first run left alive and a later test killed (see --rerun).
        later = json.loads(rerun.read_text(encoding="utf-8"))
        statuses.update({name: later[name] for name in statuses if name in later})
    return {name: status for name, status in statuses.items() if status != "not checked"}


def _report(project: Path) -> int:
    statuses = _statuses(project)
    if not statuses:
        print("no mutant was checked; run without --report-only first")
        return 1
    for module in _mutated_modules(project):
        prefix = "kpiscore." + module.removesuffix(".py").replace("/", ".") + "."
        mine = {n.removeprefix(prefix): s for n, s in statuses.items() if n.startswith(prefix)}
        if mine:
            _module_report(project, module, mine)
    if len(_mutated_modules(project)) > 1:
        counts = Counter(statuses.values())
        print(f"all modules: killed {counts['killed']}/{sum(counts.values())}")
    return 0


def _module_report(project: Path, module: str, statuses: dict[str, str]) -> None:
    """The survivors of one module, its kill rate, and the rate without equivalent mutants."""
    counts = Counter(statuses.values())
    total = sum(counts.values())
    original = project / "mutants" / "src" / "kpiscore" / f"{module}.orig"
    version, equivalents, elsewhere_killed = EQUIVALENT.get(module, ("", {}, {}))
    examined = bool(version) and original.exists()
    examined = examined and hashlib.sha256(original.read_bytes()).hexdigest().startswith(version)
    equivalent = elsewhere = 0
    not_killed_for, not_killed = NOT_KILLED.get(module, ("", {}))
    if not (examined and not_killed_for == version):
        not_killed = {}
    print(f"== {module}")
    for name, status in sorted(statuses.items()):
        if status == "killed":
            continue
        note = ""
        if examined and name in equivalents:
            equivalent += 1
            note = f" (equivalent: {equivalents[name]})"
        elif examined and name in elsewhere_killed:
            elsewhere += 1
            note = f" (killed by {elsewhere_killed[name]})"
        elif name in not_killed:
            note = f" (not equivalent, not killed: {not_killed[name]})"
        print(f"{name}: {status}{note}")
    figures = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    print(f"mutants: {figures}")
    detected = counts["killed"] + counts["timeout"]
    print(f"kill rate: {counts['killed']}/{total} = {counts['killed'] * 100 // total} %")
    print(f"killed or timed out: {detected}/{total} = {detected * 100 // total} %")
    if examined:
        meaningful = total - equivalent
        caught = detected + elsewhere
        print(
            f"leaving out {equivalent} equivalent mutants: {caught}/{meaningful}"
            f" = {caught * 1000 // meaningful / 10} %"
        )
    elif counts["killed"] < total:
        print(
            f"the equivalent mutants listed for {module} are for another version of it (or none"
            " are listed); examine the survivors again"
        )


#: ``--rerun --in-process``: one interpreter checks every survivor, a ``pytest.main`` per
#: mutant (mutmut's trampolines read ``MUTANT_UNDER_TEST`` at each call), so a mutant costs its
#: tests only, not an interpreter and pandas each. Caches that outlive a test (compiled
#: policies) are not mutated by the columnar modules, so no mutant leaks into the next.
_IN_PROCESS: Final = """
import json, os, sys
from pathlib import Path
import pytest
out, names, tests = Path(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3:]
done = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
arguments = ["-x", "-q", "-p", "no:cacheprovider", *tests]
os.environ["MUTANT_UNDER_TEST"] = ""
if pytest.main(arguments) != 0:
    raise SystemExit("the tests fail without any mutant")
for name in names:
    if done.get(name) in ("killed", "timeout"):
        continue
    os.environ["MUTANT_UNDER_TEST"] = name
    code = pytest.main(arguments)
    done[name] = "killed" if code == 1 else "survived"
    print(f"{name}: {done[name]}", file=sys.stderr, flush=True)
    out.write_text(json.dumps(done, indent=1), encoding="utf-8")
"""


def _rerun_in_process(python: Path, tests: list[str], environment: dict[str, str]) -> None:
    """:func:`_rerun` in one interpreter (``--in-process``): far faster, for new tests."""
    project = WORK / "project"
    copy = project / "mutants"
    for part in ("tests", "docs"):
        shutil.copytree(
            ROOT / part,
            copy / part,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    names = [line.split(": ")[0] for line in _counts(project)[1] if not line.endswith("checked")]
    environment = {**environment, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [str(python), "-c", _IN_PROCESS, str(WORK / "rerun.json"), json.dumps(names)]
    subprocess.run([*command, *tests], cwd=copy, env=environment, check=True)  # noqa: S603


def _rerun(python: Path, tests: list[str], environment: dict[str, str]) -> None:
    """Check again each mutant the last run did not kill, against the tests as they are now.

    mutmut only runs the tests its first pass saw reach a function, so a test written after
    the run is invisible to it; here the tests as they are now are copied into mutmut's own
    copy of the project (``mutants/``, whose mutated modules hold every mutant behind a
    trampoline) and run once per surviving mutant, chosen by ``MUTANT_UNDER_TEST`` as mutmut
    itself chooses it. (``mutmut apply`` is not used: mutmut 3.8.1 writes a method's mutant
    over the first method of that name in the file, so ``xǁPopulationǁ__init__``'s mutants
    replaced ``People.__init__``.)
    """
    project = WORK / "project"
    copy = project / "mutants"
    for part in ("tests", "docs"):
        shutil.copytree(
            ROOT / part,
            copy / part,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    for module in _mutated_modules(project):
        original = copy / "src" / "kpiscore" / f"{module}.orig"
        if original.read_bytes() != (ROOT / "src" / "kpiscore" / module).read_bytes():
            print(f"note: src/kpiscore/{module} changed since the run; checking the run's version")
    earlier = WORK / "rerun.json"
    outcomes: dict[str, str] = (
        json.loads(earlier.read_text(encoding="utf-8")) if earlier.exists() else {}
    )
    environment = {
        **environment,
        "PYTHONPATH": str(copy / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MUTANT_UNDER_TEST": "",
    }
    command = [str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    baseline = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        command, cwd=copy, env=environment, check=False, capture_output=True
    )
    if baseline.returncode != 0:
        raise SystemExit(f"the tests fail without any mutant:\n{baseline.stdout.decode()}")
    try:
        for line in _counts(project)[1]:
            name, status = line.split(": ")
            if status == "not checked" or outcomes.get(name) in ("killed", "timeout"):
                continue
            try:
                finished = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
                    command,
                    cwd=copy,
                    env={**environment, "MUTANT_UNDER_TEST": name},
                    check=False,
                    capture_output=True,
                    timeout=180,
                )
            except subprocess.TimeoutExpired:
                outcomes[name] = "timeout"
            else:
                outcomes[name] = "killed" if finished.returncode == 1 else "survived"
            print(f"{name}: {outcomes[name]}", flush=True)
    finally:
        (WORK / "rerun.json").write_text(json.dumps(outcomes, indent=1), encoding="utf-8")


def _resume(python: Path, jobs: int, environment: dict[str, str]) -> int:
    """Continue the last run in its own project copy (``--resume``), then report.

    The copy is left as the run found it (its source, tests and ``setup.cfg``): mutmut then
    checks only the mutants it has no verdict for, so the figures stay those of one version
    of the module (the ``.orig`` kept at the start), however often the run was stopped. A
    changed test selection would make mutmut check every mutant again; a changed source, the
    changed functions' mutants. (Do not ``--rerun`` while a resumed run is going: it copies
    the tests as they are now into the run's copy.)
    """
    project = WORK / "project"
    if not (project / "setup.cfg").exists() or not python.exists():
        raise SystemExit(f"no run to resume in {WORK}")
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [str(python), "-m", "mutmut", "run", "--max-children", str(jobs)],
        cwd=project,
        env=environment,
        check=False,
    )
    return _report(project)


def _mutated_modules(project: Path) -> list[str]:
    text = (project / "setup.cfg").read_text(encoding="utf-8")
    listed = text.split("only_mutate", 1)[1].split("pytest")[0]
    return re.findall(r"src/kpiscore/([\w/]+\.py)", listed)


def main(argv: list[str] | None = None) -> int:
    """Run mutmut over the chosen modules and print the kill rate."""
    # Stopped with SIGTERM, still put the project's source back (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--module",
        action="append",
        help=(
            "a module (path or glob under src/kpiscore) to mutate (repeatable; default"
            " engine/exact.py and engine/compile.py)"
        ),
    )
    parser.add_argument(
        "--test", action="append", help="a test file to run (repeatable; default: the fast set)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants checked at once (default 1)")
    parser.add_argument(
        "--report-only", action="store_true", help="print the figures of the last run"
    )
    parser.add_argument(
        "--rerun",
        action="store_true",
        help="check the survivors of the last run again, with the tests as they are now",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help=(
            "continue the last run where it stopped: the same project copy, tests and"
            " selection (mutmut keeps every verdict already reached)"
        ),
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="with --rerun: check every survivor in one interpreter (for the new tests only)",
    )
    args = parser.parse_args(argv)
    project = WORK / "project"
    if args.report_only:
        return _report(project)
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    environment.pop("PYTHONPATH", None)
    if args.resume:
        return _resume(WORK / "venv" / "bin" / "python", args.jobs, environment)
    modules = _expand(args.module or list(DEFAULT_MODULES))
    columnar = _is_columnar(modules)
    tests = args.test or [*TESTS, *(COLUMNAR_TESTS if columnar else ())]
    python = _environment(columnar)
    if args.rerun:
        (_rerun_in_process if args.in_process else _rerun)(python, tests, environment)
        return _report(project)
    project = _project(modules, tests)
    (WORK / "rerun.json").unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [str(python), "-m", "mutmut", "run", "--max-children", str(args.jobs)],
        cwd=project,
        env=environment,
        check=False,
    )
    _originals(project, modules)
    return _report(project)


if __name__ == "__main__":
    sys.exit(main())
