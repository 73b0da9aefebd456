"""Where benchmark figures go: one JSON file per benchmark in results/, and a plain listing."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def save(name: str, figures: dict[str, object]) -> None:
    """Write results/`name`.json and print its scalar figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    width = max(map(len, figures))
    for k, v in figures.items():
        if not isinstance(v, dict | list):
            print(f"{k:<{width}}  {v:,}" if isinstance(v, int | float) else f"{k:<{width}}  {v}")
    print(f"written to {path}")
