"""Rules of the residency family."""
