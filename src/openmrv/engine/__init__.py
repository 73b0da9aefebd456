"""The calculation engine: activity + methodologies -> one relational plan -> results.

`__all__` lists what other packages may use: these names and the modules `dataset` and `run`.
"""

from openmrv.engine.run import RunResult, calculate

__all__ = ["RunResult", "calculate", "dataset", "run"]
