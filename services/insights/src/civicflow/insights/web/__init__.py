"""The insights pages: server-rendered HTML and SVG charts (Jinja2, autoescaped) that work without JavaScript."""
