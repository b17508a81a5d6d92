"""CivicFlow shared library: event contracts, topic names, settings, telemetry and client factories.

Nothing here does I/O at import time; services build clients from settings in their composition root.
"""
