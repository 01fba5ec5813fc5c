"""The talking circle's persisted state (filled in by the talking-circle work)."""
