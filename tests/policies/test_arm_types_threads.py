"""The pack's server answers on several threads: first imports of Azure's model packages must not race."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter, so no model module is imported yet; eight threads ask for every definition's
# model class and request module at once, as concurrent Analyze calls would.
SCRIPT = textwrap.dedent(
    """
    import threading
    from policies.arm_types import ARM_DEFINITIONS, model_class, request_module

    definitions = [d for d in ARM_DEFINITIONS.values() if d is not None]
    errors = []
    start = threading.Barrier(8)

    def work(offset):
        start.wait()
        try:
            for d in definitions[offset:] + definitions[:offset]:
                model_class(d)
                request_module(d)
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(definitions), "definitions")
    raise SystemExit("\\n".join(errors) if errors else 0)
    """
)


def test_concurrent_first_imports_of_the_model_packages_do_not_fail() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[0]) > 0
