"""The factor library: versioned factor tables with provenance on every row."""

from openmrv.factors.library import Library, load_library

__all__ = ["Library", "load_library"]
