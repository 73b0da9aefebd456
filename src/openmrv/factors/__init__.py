"""The factor library: versioned factor tables with provenance on every row.

`__all__` lists what other packages may use: these names and the module `library`.
"""

from openmrv.factors.library import Library, load_library

__all__ = ["Library", "library", "load_library"]
