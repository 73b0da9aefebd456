"""Server-rendered pages, templates, static assets and translations."""
