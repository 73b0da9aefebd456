"""OpenMRV: measurement, reporting and verification of greenhouse-gas emissions under US and
Chinese methodologies, side by side.

The packages, lowest layer first (pyproject.toml's import-linter contract keeps it so): units,
gases and files; factors; ingest, methods and store; engine; reports; api; web; the command line.
Each package's `__all__` lists what the others may use.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("openmrv")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.1.0"  # keep in step with pyproject.toml (tests/test_layers.py checks)

__all__ = ["__version__"]
