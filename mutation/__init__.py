"""Mutation testing of the modules that compute money and statuses (`make mutation`)."""
