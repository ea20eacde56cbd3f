"""Rules of the encryption family."""
