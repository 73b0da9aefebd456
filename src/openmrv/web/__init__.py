"""Server-rendered pages, templates, static assets and translations.

`__all__` lists the modules other packages may import (the command line serves the application).
"""

__all__ = ["app", "i18n", "pages"]
