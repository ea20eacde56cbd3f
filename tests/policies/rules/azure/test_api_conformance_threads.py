"""azure-api-conformance's memoised definitions: concurrent first checks answer as later ones do.

The pack's gRPC server runs Analyze calls on several threads, and what the rule reads once per type
(the model, its package's validation, the URL parameters, the inputs not in the body) is built on a
type's first check. In a fresh interpreter, eight threads check every baseline resource at once,
each also with an input no model defines and with a value outside its enum, and must get exactly
the findings a single thread gets afterwards from the warm caches.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

SCRIPT = textwrap.dedent(
    """
    import json
    import threading
    from policies.model import NotApplicable
    from policies.props import read_only
    from policies.rules.azure.api_conformance import problems
    from tests.policies.baselines import compliant_stack

    inputs = []
    for r in compliant_stack().resources.values():
        inputs.append((r.type, r.props))
        inputs.append((r.type, {**r.props, "notAnAzureProperty": True}))
        inputs.append((r.type, {**r.props, "location": 7}))

    def check(type_, props):
        found = problems(type_, read_only(props))
        return found.reason if isinstance(found, NotApplicable) else list(found)

    results = {}
    errors = []
    start = threading.Barrier(8)

    def work(offset):
        start.wait()
        try:
            order = list(range(len(inputs)))
            order = order[offset::8] + order[:offset] + order[offset:]
            results[offset] = {i: check(*inputs[i]) for i in order}
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    warm = {i: check(*inputs[i]) for i in range(len(inputs))}
    differ = [o for o, found in results.items() if found != warm]
    findings = sum(len(v) for v in warm.values() if isinstance(v, list))
    print(json.dumps({"inputs": len(inputs), "findings": findings, "differ": differ, "errors": errors}))
    """
)


def test_concurrent_first_checks_answer_as_warm_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == [] and report["differ"] == [], report
    assert report["inputs"] > 100 and report["findings"] > report["inputs"] / 3, report
