"""Models used only by tests (no migrations: the test database creates their tables)."""
