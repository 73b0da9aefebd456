"""PACT: product carbon footprints exchanged over the PACT Data Exchange Protocol v3 (WBCSD),
as host (serving our footprints to partners) and as client (pulling suppliers' footprints).

The wire format is in `model`, the tables in `store`; see docs/pact.md and the digest of the
spec the project works from (reference/pact-v3.md).
"""

__all__ = ["model", "plugin", "store"]
