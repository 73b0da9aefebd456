"""Reading and validating facilities and activity files.

`__all__` lists the modules other packages may import.
"""

__all__ = [
    "columns",
    "errors",
    "readers",
    "schema",
    "validate",
]
