"""Who may do what: Kafka principals and their ACLs, store credentials, field encryption of personal data."""
