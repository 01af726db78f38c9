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
from pathlib import Path
from typing import TYPE_CHECKING, Final

from kpiscore._extras import require
from kpiscore.exceptions import InputError, KpiscoreError

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = [
    "DEFAULT_MAX_BODY",
    "ServerError",
    "add_serve_parser",
    "create_app",
    "is_loopback",
    "main",
    "read_token",
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


def read_token(path: str | os.PathLike[str]) -> str:
    """The bearer token in a file (surrounding white space removed).

    Raises:
        ServerError: the file cannot be read, is empty, or the token holds white space or is
            shorter than 16 characters.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "token"
    >>> _ = path.write_text("  k8Zq3-J0t1hVb6rWmXyAe2  \\n", encoding="utf-8")
    >>> read_token(path)
    'k8Zq3-J0t1hVb6rWmXyAe2'
    """
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ServerError(f"--token-file {str(path)!r}: cannot be read ({reason})") from None
    if not token:
        raise ServerError(f"--token-file {str(path)!r}: the file is empty; expected a token")
    if any(character.isspace() for character in token) or len(token) < 16:
        raise ServerError(
            f"--token-file {str(path)!r}: expected one token of at least 16 characters with no"
            f" white space (got {len(token)} characters)"
        )
    return token


def create_app(
    policies_dir: str | os.PathLike[str] | None = None,
    *,
    token: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> Litestar:
    """The ASGI application: run it with any ASGI server (``kpiscore serve`` uses uvicorn).

    Args:
        policies_dir: A folder of ``.toml``/``.json`` policy files served besides the bundled
            policies, read once now; ``None`` for the bundled policies only.
        token: When given, every API call must carry ``Authorization: Bearer <token>``
            (the OpenAPI document and the interactive docs stay open).
        max_body: The largest request body accepted, in bytes; a larger one gets 413.

    Returns:
        A :class:`litestar.Litestar` application.

    Raises:
        MissingExtraError: Litestar is not installed (``pip install 'kpiscore[server]'``).
        FileFormatError: a policy file in ``policies_dir`` is invalid, or two policies share an
            id; :class:`~kpiscore.FileFormatErrorGroup` lists every problem.
        InputError: ``token`` is empty, or ``max_body`` is not a positive integer.

    >>> app = create_app(token="k8Zq3-J0t1hVb6rWmXyAe2")
    >>> app.openapi_schema.info.title, sorted(app.openapi_schema.paths)[:2]
    ('kpiscore', ['/compare', '/explain'])
    """
    require("litestar", "server")
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise InputError(f"create_app: token must be a non-empty string or None (got {token!r})")
    if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body <= 0:
        raise InputError(f"create_app: max_body must be a positive integer (got {max_body!r})")
    from kpiscore.server._app import build_app
    from kpiscore.server._registry import PolicyRegistry

    return build_app(PolicyRegistry(policies_dir), token=token, max_body=max_body)


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
            " POST /score, /explain, /compare, /validate; the OpenAPI document at"
            " /openapi.json, interactive docs at /docs."
        ),
    )
    _add_arguments(command)
    command.set_defaults(handler=serve)
    return command


def _add_arguments(command: argparse.ArgumentParser) -> None:
    """The options of ``kpiscore serve`` (and of ``python -m kpiscore.server``)."""
    command.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    command.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    command.add_argument(
        "--policies",
        metavar="DIR",
        help="a folder of .toml/.json policy files served besides the bundled ones",
    )
    command.add_argument(
        "--token-file",
        metavar="FILE",
        help="require 'Authorization: Bearer <token>' with the token in FILE"
        " (needed on any address but loopback)",
    )
    command.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"largest request body accepted (default: {DEFAULT_MAX_BODY})",
    )


def serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted (the handler of ``kpiscore serve``); return 0.

    Raises:
        ServerError: no ``--token-file`` while ``--host`` is not a loopback address, or a bad
            token file.
        MissingExtraError: the ``server`` extra is not installed.
        FileFormatError: a policy file in ``--policies`` is invalid.
    """
    token = read_token(args.token_file) if args.token_file else None
    if token is None and not is_loopback(args.host):
        raise ServerError(
            f"--host {args.host!r} is not a loopback address: anyone on the network could call"
            " the server; give --token-file FILE so that only callers with the token are served"
            " (or listen on 127.0.0.1)"
        )
    app = create_app(args.policies, token=token, max_body=args.max_body)
    uvicorn = require("uvicorn", "server")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        server_header=False,
        lifespan="on",
        ws="none",
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
