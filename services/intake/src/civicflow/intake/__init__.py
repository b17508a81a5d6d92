"""CivicFlow intake service."""
