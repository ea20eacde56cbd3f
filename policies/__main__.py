"""Entry point the engine runs (``python -u -m pulumi.policy <engine> policies`` runs this file).

The pack's modules import as ``policies.*`` (the same package the offline preview and tests
import), so the repository root must be on ``sys.path`` whatever the engine's working directory.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from policies.pack import serve  # noqa: E402  (needs the path above)

serve()
