"""``make bench``: synthetic estates of increasing size, each previewed by ``tvt plan`` in a fresh process."""
