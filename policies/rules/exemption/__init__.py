"""Rules of the exemption family."""
