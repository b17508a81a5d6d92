"""CivicFlow's kit for agencies: the contract of the agency topic (wire) and the `civicflow-agency` command."""
