"""Loading the optional parts of zwgk by module name.

Components (probes, 政务新媒体, notices, the scheduler, testbed parts …) plug into
the core through module lists: config sections, schemas, commands, observation
loaders, testbed components.  A module that is not installed is skipped; an
import error inside a module that is there is a bug and is raised.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Iterable


def present(names: Iterable[str]) -> list[ModuleType]:
    """The modules of ``names`` that exist, imported, in order."""
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
    return modules
