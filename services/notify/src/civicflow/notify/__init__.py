"""CivicFlow notify service."""
