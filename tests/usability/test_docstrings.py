"""Every public name has a docstring (issue #19): the API reference leaves out what has none.

Public means every class and function in a package's ``__all__`` (the generated SP-API models
and the sandbox excepted) and every public method and property of those classes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import amazon_erp_bridge

SKIPPED = ("amazon_erp_bridge.amazon._generated", "amazon_erp_bridge.sandbox")


def _packages() -> list[str]:
    names = [amazon_erp_bridge.__name__]
    for info in pkgutil.walk_packages(amazon_erp_bridge.__path__, "amazon_erp_bridge."):
        if info.ispkg and not info.name.startswith(SKIPPED):
            names.append(info.name)
    return names


def _undocumented() -> set[str]:
    missing: set[str] = set()
    for name in _packages():
        module = importlib.import_module(name)
        for attribute in getattr(module, "__all__", ()):
            obj = getattr(module, attribute)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            qualified = f"{obj.__module__}.{obj.__qualname__}"
            if not (obj.__doc__ or "").strip():
                missing.add(qualified)
            if not inspect.isclass(obj):
                continue
            for member, value in vars(obj).items():
                if member.startswith("_"):
                    continue
                if isinstance(value, staticmethod | classmethod):
                    value = value.__func__
                if isinstance(value, property):
                    value = value.fget
                if inspect.isfunction(value) and not (value.__doc__ or "").strip():
                    missing.add(f"{qualified}.{member}")
    return missing


def test_every_public_name_has_a_docstring():
    missing = _undocumented()
    assert not missing, "public names without a docstring:\n" + "\n".join(sorted(missing))
