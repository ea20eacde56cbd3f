"""The offline preview: ``tvt plan`` and ``tvt check`` without the Pulumi CLI, cloud or network.

- ``capture``: run the real program under the SDK's mocks, recording every registration.
- ``export``: the capture as Pulumi's stack-export document (``plan.json``).
- ``plan``: read a plan back, checking its shape (``tvt check`` and ``tvt plan`` alike).
- ``analyzer``: reach the policy pack over gRPC (as the engine) or in-process.
- ``policy_config``: the pack's metadata and its config file, checked and reconciled.
- ``evaluate``: the analyzer protocol calls, in the engine's order, into findings.
- ``findings``, ``levels``, ``report``: what reviewers read.
- ``output``, ``progress``, ``errors``: atomic output, TTY progress and timings, exit-2 errors.
- ``pipeline``: the two commands as functions.
"""
