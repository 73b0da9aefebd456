"""Located, human errors for bad input (principle 7: no stack traces for user errors)."""

from __future__ import annotations

from dataclasses import dataclass

from openmrv.errors import InvalidInput


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    fix: str
    row_word: str = "row"

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"{self.row_word} {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        shown = ""
        if self.value is not None:
            v = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            shown = f" (value {v!r})"
        return f"{self.location()}{shown}: {self.problem}. Fix: {self.fix}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "problem": self.problem,
            "fix": self.fix,
        }


class InputError(InvalidInput):
    """Raised with every problem found (up to a limit) when input is rejected."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(f"{self.total} problem(s) in the input; first: {problems[0]}")
