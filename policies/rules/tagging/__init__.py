"""Rules of the tagging family."""
