"""CivicFlow insights service."""
