"""Rules of the identity family."""
