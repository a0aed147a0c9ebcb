"""A griffe extension for the API reference: show reST roles in docstrings as code.

The library's docstrings cross-reference in Sphinx style (``:class:`~pkg.mod.Name```); the
reference pages are Markdown, where those roles would print as raw text. This turns them into
code spans (``Name``) without touching the library source.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|data|exc|obj|const):`(~?)([^`]+)`")


def _replace(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    if short:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def convert(text: str) -> str:
    """``:class:`~a.b.C``` becomes `` `C` ``; ``:meth:`x.y``` becomes `` `x.y` ``."""
    return _ROLE.sub(_replace, text)


class RstRoles(griffe.Extension):
    """Rewrite reST roles in every docstring griffe loads."""

    def on_instance(self, *args: Any, **kwargs: Any) -> None:
        obj = kwargs.get("obj", args[1] if len(args) > 1 else None)
        docstring = getattr(obj, "docstring", None)
        if docstring is not None:
            docstring.value = convert(docstring.value)
