"""A toy domain, in the tests only: flare meters. It uses every hook (hookspecs.py) and no
core file knows it, the proof that the next domain can be added the same way."""
