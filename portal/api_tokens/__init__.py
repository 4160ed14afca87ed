"""API access tokens: issued by their user (or an admin, for a service account), scoped, expiring,
revocable, stored hashed and shown once. portal.api authenticates each request with one."""
