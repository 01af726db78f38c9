"""The HTTP service's public API, used as a user would; it must pass ``mypy --strict``."""

from __future__ import annotations

import argparse
from pathlib import Path

from litestar import Litestar

from kpiscore.server import (
    DEFAULT_MAX_BODY,
    ServerError,
    add_serve_parser,
    create_app,
    is_loopback,
    read_token,
    serve,
)


def application(folder: Path | None, token_file: Path | None) -> Litestar:
    token = read_token(token_file) if token_file is not None else None
    return create_app(folder, token=token, max_body=DEFAULT_MAX_BODY)


def command() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpiscore")
    serve_parser: argparse.ArgumentParser = add_serve_parser(parser.add_subparsers())
    return serve_parser


def start(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and args.token_file is None:
        raise ServerError("give --token-file")
    status: int = serve(args)
    return status
