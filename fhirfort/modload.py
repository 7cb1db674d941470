"""Load a Python file that is not part of a package (Ansible role plugins, tools/) as a module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load_file_module(name: str, path: Path) -> ModuleType:
    """The module of the file at `path`, registered under `name` (an error names a path that is no module)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
