"""An HTTP service over kpiscore, for HR systems not written in Python (``kpiscore[server]``).

Ministry and provincial HR systems are Java, .NET or PHP applications: they cannot import a
Python library, but they can call a service on their own network. This package serves the
library over HTTP with `Litestar <https://litestar.dev>`_ and `uvicorn <https://www.uvicorn.org>`_::

    kpiscore serve [--host 127.0.0.1] [--port 8000] [--policies DIR] [--token-file FILE]

=========================  =====================================================================
``GET /policies``          the served policies (bundled, and those of ``--policies DIR``)
``GET /policies/{id}``     one policy as JSON, with its fingerprint
``POST /validate``         a policy document in, every problem out
``POST /score``            scorecards (``ScoreTable.to_json()``)
``POST /explain``          one person's ledger in ``vi`` or ``en``
``POST /compare``          a base policy and a variant, person by person
``GET /openapi.json``      the OpenAPI document; interactive docs at ``/docs``
=========================  =====================================================================

Bodies are the JSON the library reads and writes (facts with the keys of the fact files,
policies as policy files hold them, numbers as decimal strings); every endpoint is one call to
the public API. Bad input gets a problem details answer (RFC 9457) with the library's message and
the path of the offending field. The same request gets byte-identical answers.

Nothing here imports Litestar until :func:`create_app` is called, so ``import kpiscore`` and
``kpiscore --help`` work without the extra.

>>> from kpiscore.server import DEFAULT_MAX_BODY, is_loopback
>>> DEFAULT_MAX_BODY // 2**20, is_loopback("127.0.0.1"), is_loopback("0.0.0.0")
(16, True, False)
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from kpiscore._extras import require
from kpiscore.exceptions import InputError, KpiscoreError
from kpiscore.server._limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BODY",
    "LOOPBACK_HOSTS",
    "MIN_TOKEN_LENGTH",
    "Limits",
    "ServerError",
    "add_serve_parser",
    "create_app",
    "is_loopback",
    "main",
    "read_token",
    "read_tokens",
    "serve",
]

#: The largest request body served by default: 16 MiB (some 50,000 people with their facts).
DEFAULT_MAX_BODY: Final = 16 * 2**20


class ServerError(KpiscoreError, ValueError):
    """The server cannot start as asked: no token on a public address, a bad token file.

    Raised by :func:`serve` before anything listens; the ``kpiscore`` command prints it as
    ``kpiscore: error: …`` and exits with status 2.
    """


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.1``, ``::1``, ``localhost``).

    A host name other than ``localhost`` is not: it may resolve to any address.

    >>> [is_loopback(host) for host in ("127.0.0.1", "::1", "localhost", "10.0.0.5", "hr.local")]
    [True, True, True, False, False]
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


#: The shortest token accepted: 32 characters (``secrets.token_urlsafe(32)`` gives 43).
MIN_TOKEN_LENGTH: Final = 32

#: The ``Host`` names a server without a token answers by default (DNS rebinding protection).
LOOPBACK_HOSTS: Final = ("localhost", "127.0.0.1", "::1")


def read_tokens(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The bearer tokens in a file: one a line (several for rotation), blank lines ignored.

    Raises:
        ServerError: the file cannot be read, is readable or writable by group or others,
            holds no token, or a token holds white space or is shorter than 32 characters.

    >>> import os, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "token"
    >>> _ = path.write_text("k8Zq3-J0t1hVb6rWmXyAe2-k8Zq3-J0t1hVb6rW\\n" * 1, encoding="utf-8")
    >>> os.chmod(path, 0o600)
    >>> read_tokens(path)
    ('k8Zq3-J0t1hVb6rWmXyAe2-k8Zq3-J0t1hVb6rW',)
    """
    name = repr(str(path))
    try:
        mode = os.stat(path).st_mode
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ServerError(f"--token-file {name}: cannot be read ({reason})") from None
    if os.name == "posix" and mode & 0o077:
        raise ServerError(
            f"--token-file {name}: readable or writable by group or others (mode"
            f" {mode & 0o777:03o}); expected only its owner to read it (chmod 600 {str(path)!r})"
        )
    tokens = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not tokens:
        raise ServerError(f"--token-file {name}: the file is empty; expected a token")
    for number, token in enumerate(tokens, 1):
        if any(character.isspace() for character in token) or len(token) < MIN_TOKEN_LENGTH:
            raise ServerError(
                f"--token-file {name}: token {number}: expected one token a line, of at least"
                f" {MIN_TOKEN_LENGTH} characters with no white space (got {len(token)}"
                ' characters); generate one with: python -c "import secrets;'
                ' print(secrets.token_urlsafe(32))"'
            )
        if len(set(token)) < 8:
            raise ServerError(
                f"--token-file {name}: token {number} repeats too few characters to be secret;"
                ' generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
    return tokens


def read_token(path: str | os.PathLike[str]) -> str:
    """The first bearer token in a file; see :func:`read_tokens` for the rules.

    Raises:
        ServerError: as :func:`read_tokens`.
    """
    return read_tokens(path)[0]


def create_app(
    policies_dir: str | os.PathLike[str] | None = None,
    *,
    token: str | None = None,
    tokens: Sequence[str] = (),
    max_body: int | None = None,
    limits: Limits | None = None,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
    workers: int = 1,
) -> Litestar:
    """The ASGI application: run it with any ASGI server (``kpiscore serve`` uses uvicorn).

    Args:
        policies_dir: A folder of ``.toml``/``.json`` policy files served besides the bundled
            policies, read now (and again on reload).
        token: When given, every API call must carry ``Authorization: Bearer <token>``
            (``/openapi.json``, ``/docs``, ``/healthz`` and ``/readyz`` stay open).
        tokens: Several accepted tokens (for rotation), besides ``token``.
        max_body: The largest request body accepted, in bytes (the same as
            ``limits.max_body``); a larger one gets 413.
        limits: The bounds of one request's work (:class:`Limits`); the defaults when ``None``.
        allowed_hosts: ``Host`` names served when there is no token (default: the loopback
            names); ``None`` serves any. Ignored with a token.
        workers: How many worker processes will share the metrics (``kpiscore serve``).

    Returns:
        A :class:`litestar.Litestar` application.

    Raises:
        MissingExtraError: Litestar is not installed (``pip install 'kpiscore[server]'``).
        FileFormatError: a policy file in ``policies_dir`` is invalid, or two policies share an
            id; :class:`~kpiscore.FileFormatErrorGroup` lists every problem.
        InputError: a token is empty, or ``max_body`` is not a positive integer.

    >>> app = create_app(token="k8Zq3-J0t1hVb6rWmXyAe2")
    >>> app.openapi_schema.info.title, sorted(app.openapi_schema.paths)[:2]
    ('kpiscore', ['/compare', '/explain'])
    """
    require("litestar", "server")
    accepted = [*([token] if token is not None else []), *tokens]
    for given in accepted:
        if not isinstance(given, str) or not given.strip():
            raise InputError(
                f"create_app: token must be a non-empty string or None (got {given!r})"
            )
    if max_body is not None and (
        isinstance(max_body, bool) or not isinstance(max_body, int) or max_body <= 0
    ):
        raise InputError(f"create_app: max_body must be a positive integer (got {max_body!r})")
    limits = limits or DEFAULT_LIMITS
    if max_body is not None:
        limits = attrs.evolve(limits, max_body=max_body)
    from kpiscore.server._app import build_app
    from kpiscore.server._registry import PolicyRegistry

    return build_app(
        PolicyRegistry(policies_dir),
        tokens=tuple(accepted),
        limits=limits,
        allowed_hosts=None if allowed_hosts is None else tuple(allowed_hosts),
        policies_dir=policies_dir,
        workers=workers,
    )


# --------------------------------------------------------------------------- the command


def add_serve_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add the ``serve`` command to the ``kpiscore`` command's sub-parsers.

    Its handler (``args.handler``) is :func:`serve`; nothing from the extra is imported until
    it runs, so ``kpiscore --help`` works without it.

    >>> parser = argparse.ArgumentParser(prog="kpiscore")
    >>> _ = add_serve_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["serve", "--port", "8080"])
    >>> args.host, args.port, args.handler is serve
    ('127.0.0.1', 8080, True)
    """
    command = subparsers.add_parser(
        "serve",
        help="serve the library over HTTP (needs kpiscore[server])",
        description=(
            "Serve kpiscore over HTTP for systems not written in Python: GET /policies,"
            " POST /score, /explain, /compare, /validate; /healthz, /readyz, /metrics;"
            " the OpenAPI document at /openapi.json, docs at /docs. SIGHUP reloads the"
            " policies."
        ),
    )
    _add_arguments(command)
    command.set_defaults(handler=serve)
    return command


#: The limit options of ``kpiscore serve``: option, Limits field, type, help.
_LIMIT_OPTIONS: Final = (
    ("--max-people", "max_people", int, "people in one request"),
    ("--max-facts", "max_facts", int, "events and measures together in one request"),
    ("--max-overlay", "max_overlay", int, "entries of one overlay"),
    ("--max-policy-nodes", "max_policy_nodes", int, "JSON values in one inline policy"),
    ("--max-criteria", "max_criteria", int, "criteria of an inline policy"),
    ("--max-rules", "max_rules", int, "deductions, awards and caps of an inline policy"),
    ("--max-bands", "max_bands", int, "bands of an inline policy"),
    ("--max-lines", "max_lines", int, "ledger lines of one answer (people x policy lines)"),
    ("--max-answer", "max_answer", int, "bytes of one answer"),
    ("--timeout", "timeout", float, "seconds one request may take; then 503"),
    ("--body-timeout", "body_timeout", float, "seconds to send headers and body; then 408"),
    ("--max-in-flight", "max_in_flight", int, "requests one worker serves at once; then 503"),
)


def _add_arguments(command: argparse.ArgumentParser) -> None:
    """The options of ``kpiscore serve`` (and of ``python -m kpiscore.server``)."""
    command.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    command.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    command.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: the number of cores)",
    )
    command.add_argument(
        "--policies",
        metavar="DIR",
        help="a folder of .toml/.json policy files served besides the bundled ones",
    )
    command.add_argument(
        "--token-file",
        metavar="FILE",
        help="require 'Authorization: Bearer <token>' with a token of FILE (one a line, at least"
        " 32 characters, mode 600; needed on any address but loopback)",
    )
    command.add_argument(
        "--allowed-hosts",
        metavar="NAMES",
        default=",".join(LOOPBACK_HOSTS),
        help="Host header names served without a token, comma-separated (default:"
        f" {','.join(LOOPBACK_HOSTS)})",
    )
    command.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"largest request body accepted (default: {DEFAULT_MAX_BODY})",
    )
    for option, field, kind, words in _LIMIT_OPTIONS:
        default = getattr(DEFAULT_LIMITS, field)
        command.add_argument(
            option,
            type=kind,
            default=default,
            dest=field,
            metavar="N" if kind is int else "SECONDS",
            help=f"{words} (default: {default:g})"
            if kind is float
            else f"{words} (default: {default})",
        )
    command.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        metavar="N",
        help="open connections per worker; past it new requests get 503 (default: 1000)",
    )


def _limits(args: argparse.Namespace) -> Limits:
    values = {field: getattr(args, field) for _, field, _, _ in _LIMIT_OPTIONS}
    try:
        return Limits(max_body=args.max_body, **values)
    except InputError as error:
        raise ServerError(str(error)) from None


def serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted (the handler of ``kpiscore serve``); return 0.

    Raises:
        ServerError: no ``--token-file`` while ``--host`` is not a loopback address, a bad
            token file, or a bad option.
        MissingExtraError: the ``server`` extra is not installed.
        FileFormatError: a policy file in ``--policies`` is invalid.
    """
    tokens = read_tokens(args.token_file) if args.token_file else ()
    if not tokens and not is_loopback(args.host):
        raise ServerError(
            f"--host {args.host!r} is not a loopback address: anyone on the network could call"
            " the server; give --token-file FILE so that only callers with the token are served"
            " (or listen on 127.0.0.1)"
        )
    from kpiscore.server._run import default_workers, run

    workers = args.workers if getattr(args, "workers", None) is not None else default_workers()
    if workers < 1:
        raise ServerError(f"--workers: expected at least 1 (got {workers})")
    limits = _limits(args)
    hosts = tuple(h.strip() for h in args.allowed_hosts.split(",") if h.strip())
    require("uvicorn", "server")
    app = create_app(
        args.policies, tokens=tokens, limits=limits, allowed_hosts=hosts, workers=workers
    )
    service = app.state["kpiscore"]

    def app_for_worker(index: int) -> Litestar:  # pragma: no cover - in the worker processes
        service.bind_worker(index)
        return app

    run(
        app_for_worker,
        host=args.host,
        port=args.port,
        workers=workers,
        header_timeout=limits.body_timeout,
        max_connections=args.max_connections,
        on_reload=service.reload_quietly,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m kpiscore.server [--host …] …``: the ``serve`` command on its own."""
    parser = argparse.ArgumentParser(
        prog="python -m kpiscore.server", description="The same as 'kpiscore serve'."
    )
    _add_arguments(parser)
    args = parser.parse_args(argv if argv is not None else _argv())
    try:
        return serve(args)
    except KpiscoreError as error:
        print(f"kpiscore: error: {error}", file=sys.stderr)
        return 2


def _argv() -> list[str]:
    return sys.argv[1:]
