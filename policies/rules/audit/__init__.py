"""Rules of the audit family."""
