"""Rules of the data protection family."""
