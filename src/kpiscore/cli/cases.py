"""``kpiscore test``: run test-case files (``*.kpi.toml``); a pass/fail table, failures explained.

The same as :func:`kpiscore.testing.run_cases` (and :func:`~kpiscore.testing.bundled_cases`
with ``--bundled``). Named ``cases`` so that pytest does not take it for a test module.

Exit status: :data:`PASSED` (0) when every case passed; :data:`FAILED` (1) when every case file
was read and ran, and a case failed or raised an error; :data:`COULD_NOT_START` (2) when the run
could not start or could not read all it was given — nothing to run, a path that does not exist,
a case file that cannot be read or is invalid (an unknown policy, a malformed case) — as every
``kpiscore`` command returns 2 for bad input. The cases that could be read still run and are
listed, but a run with status 2 is no verdict on the policy.
"""

from __future__ import annotations

import argparse
import sys

from kpiscore.cli.terminal import write_table
from kpiscore.exceptions import InputError, KpiscoreError

__all__ = ["COULD_NOT_START", "FAILED", "PASSED", "add_parser", "run"]

#: Every case passed.
PASSED = 0
#: A case failed (a figure differs, or scoring raised an error the case did not expect).
FAILED = 1
#: The run could not start, or not every case file could be read: the result is no verdict.
COULD_NOT_START = 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore test``."""
    command = subparsers.add_parser(
        "test", help="run test-case files (*.kpi.toml): a pass/fail table, failures explained"
    )
    command.add_argument(
        "paths", nargs="*", metavar="FILE|DIR", help="case files, or folders to search"
    )
    command.add_argument(
        "--bundled", action="store_true", help="run the cases shipped with the bundled policies"
    )
    command.add_argument(
        "--lang", choices=("vi", "en"), default="en", help="language of the ledgers; default en"
    )
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the cases and print the table; the status says passed, failed or could not start."""
    from kpiscore.testing.cases import RunReport, bundled_cases, run_cases

    if not args.paths and not args.bundled:
        raise InputError("test: name case files or folders (*.kpi.toml), or pass --bundled")
    try:
        report = run_cases(args.paths) if args.paths else RunReport(results=())
    except KpiscoreError:
        raise
    except Exception as error:
        # A case file the reader does not refuse cleanly yet (issue 19 #10: a work item missing
        # a key raised a bare TypeError): the run could not start, which is not a failed case.
        raise InputError(
            f"test: the case files could not be run ({type(error).__name__}: {error})"
        ) from error
    if args.bundled:
        bundled = tuple(case.run() for case in bundled_cases())
        report = RunReport(results=bundled + report.results, problems=report.problems)
    if not report.results and not report.problems:
        raise InputError(f"test: no case files (*.kpi.toml) in {' '.join(args.paths)}")
    headers, rows = report.table()
    write_table(sys.stdout, headers, rows, ["left", "left", "left"])
    for result in report.results:
        if not result.passed:
            print()
            print(result.report(args.lang), end="")
    for problem in report.problems.values():
        print()
        print(f"ERROR {problem}")
    print()
    print(report.summary())
    # The library's verdict: PASSED, FAILED, or COULD_NOT_START when a file could not be read.
    return report.exit_status
