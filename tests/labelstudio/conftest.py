"""The studio tests use the session-wide real Label Studio server defined in tests/conftest.py."""
