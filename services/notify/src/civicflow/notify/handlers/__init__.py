"""Notify's use cases: keep steps and write one notification per window (coalescing), send it (sending)."""
