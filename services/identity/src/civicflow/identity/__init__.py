"""CivicFlow identity service."""
