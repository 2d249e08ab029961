"""A fake MaxScale REST API for tests and offline rehearsal (see README: The simulator)."""
