"""CivicFlow routing service."""
