"""The simulated API server: kinds, schema validation, defaulting, admission, storage."""
