"""Small shared pieces of the reports' own input files (instruments, residual mix, targets,
Scope 3 tags) and sums."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from openmrv.ingest.errors import InputError, Problem


def read_csv(path: Path) -> pd.DataFrame:
    """A report input file as text cells (validation types them, with located errors)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def require_columns(df: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            [
                Problem(name, 1, c, None, f"required column {c!r} is missing", f"add {c!r}")
                for c in missing
            ]
        )


def fsum(s: pd.Series) -> float:
    """Exact float sum (order-independent), so a total equals the sum of its records."""
    return math.fsum(s.astype(float))


def editions_text(e: object) -> str:
    """A methodology's pinned editions as 'table edition, table edition' (not a dict)."""
    if isinstance(e, dict):
        return ", ".join(f"{k} {v}" for k, v in e.items())
    return str(e)
