"""Reports, exports and comparisons built from result rows.

`__all__` lists the modules other packages may import (the API and the command line).
"""

__all__ = [
    "browser",
    "bundle",
    "coverage",
    "decompose",
    "export",
    "html",
    "i18n",
    "inputs",
    "inventory",
    "markdown",
    "regulatory",
    "restate",
    "run_figures",
    "scope2",
    "summary",
    "targets",
]
