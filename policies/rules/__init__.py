"""One rule per module, grouped by concern: ``rules/<family>/<name>.py`` defines rule ``<family>-<name>``.

Each module exposes ``RULE``; :mod:`policies.pack` lists them explicitly (no discovery, so what
runs is what a reviewer reads).
"""
