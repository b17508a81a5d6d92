"""The citizen's pages, served by intake: server-rendered HTML (Jinja2, autoescaped) that works without JavaScript."""
