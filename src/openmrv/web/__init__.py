"""Server-rendered pages, templates, static assets and translations.

`__all__` lists the modules other packages may import (the application assembles the pages).
"""

__all__ = ["pages"]
