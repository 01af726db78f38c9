"""``GET /docs``: a documentation page that needs nothing from the Internet.

Swagger UI's scripts came from a public CDN (without integrity hashes, and useless on a network
without Internet access). This page is plain HTML written on the server from the OpenAPI
document itself: every operation with its summary, description, request body and answers, and
every schema as JSON. No script at all, so it works offline and behind any proxy.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

from litestar.openapi.plugins import OpenAPIRenderPlugin

from kpiscore.server._types import HttpRequest

__all__ = ["DocsPage", "render_docs"]


_STYLE = (
    "<style>body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}"
    "pre{background:#f4f4f4;padding:.5rem;overflow:auto}"
    "h2{border-top:1px solid #ccc;padding-top:1rem}</style>"
)
_MACHINE = (
    '<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>'
    " (generate a client from it).</p>"
)


def _json_block(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return f"<pre>{html.escape(text)}</pre>"


def _object(value: object) -> Mapping[str, object]:
    """A part of the document that should be an object (an empty one when it is not)."""
    return value if isinstance(value, dict) else {}


def render_docs(document: Mapping[str, object]) -> str:
    """The HTML page for an OpenAPI document.

    >>> page = render_docs({"info": {"title": "t", "version": "1"}, "paths": {}})
    >>> "<h1>t 1</h1>" in page, "<script" in page
    (True, False)
    """
    info = _object(document.get("info"))
    title = f"{info.get('title', '')} {info.get('version', '')}".strip()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        _STYLE,
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(str(info.get('description', '')))}</p>",
        _MACHINE,
    ]
    for path, operations in sorted(_object(document.get("paths")).items()):
        for method, operation in sorted(_object(operations).items()):
            if not isinstance(operation, dict):
                continue
            parts.append(
                f"<h2><code>{html.escape(method.upper())} {html.escape(path)}</code>"
                f" — {html.escape(str(operation.get('summary', '')))}</h2>"
            )
            parts.append(
                f"<p>operationId <code>{html.escape(str(operation.get('operationId')))}</code></p>"
            )
            if operation.get("description"):
                parts.append(f"<p>{html.escape(str(operation['description']))}</p>")
            if "requestBody" in operation:
                parts.append("<h3>Request body</h3>" + _json_block(operation["requestBody"]))
            for status, answer in sorted(_object(operation.get("responses")).items()):
                words = html.escape(str(_object(answer).get("description", "")))
                parts.append(f"<h3>{html.escape(str(status))}: {words}</h3>")
    schemas = _object(_object(document.get("components")).get("schemas"))
    if schemas:
        parts.append("<h2>Schemas</h2>")
        for name, schema in sorted(schemas.items()):
            parts.append(f'<h3 id="{html.escape(name)}">{html.escape(name)}</h3>')
            parts.append(_json_block(schema))
    parts.append("</body></html>")
    return "\n".join(parts)


class DocsPage(OpenAPIRenderPlugin):
    """Litestar's hook for ``/docs``: :func:`render_docs`, no CDN."""

    def render(self, request: HttpRequest, openapi_schema: Mapping[str, object]) -> bytes:
        return render_docs(openapi_schema).encode()
