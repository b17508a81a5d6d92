"""CivicFlow local stack tooling (development only, never deployed)."""
