"""RBAC: the authorizer, its rules, the bootstrap policy and the kinds' validation."""
