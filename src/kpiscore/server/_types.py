"""The framework's generic types as this server uses them, named once.

Litestar's ``Request`` and ``ASGIConnection`` are generic in the user, the authentication and
the state of a connection. The server has no user or authentication objects (its bearer check
is a guard, see :mod:`kpiscore.server._service`), so those are ``object``; the state is
Litestar's :class:`~litestar.datastructures.State`.

>>> from kpiscore.server._types import HttpRequest
>>> HttpRequest.__origin__.__name__
'Request'
"""

from __future__ import annotations

from typing import TypeAlias

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers import BaseRouteHandler

__all__ = ["Connection", "HttpRequest"]

HttpRequest: TypeAlias = Request[object, object, State]
"""A request as a route handler or an exception handler receives it."""

Connection: TypeAlias = ASGIConnection[BaseRouteHandler, object, object, State]
"""A connection as a guard or a body reader sees it."""
