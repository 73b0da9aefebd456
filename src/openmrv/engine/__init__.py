"""The calculation engine: activity + methodologies -> one relational plan -> results."""

from openmrv.engine.run import RunResult, calculate

__all__ = ["RunResult", "calculate"]
