"""waitkit."""
