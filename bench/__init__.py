"""Performance benchmark: a large programme in PostgreSQL, measured through the full Django stack."""
