"""The tvt-platform CrossGuard policy pack (``tvt-platform-guardrails``).

``policies/`` is both the pack directory the Pulumi engine runs (``PulumiPolicy.yaml``,
``__main__.py``) and a package importable from the repository root, so the offline preview and the
tests drive exactly the analyzer the engine would start (:func:`policies.pack.make_analyzer`).
"""
