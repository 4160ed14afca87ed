"""App, client and user fixtures (filled in with the app)."""
