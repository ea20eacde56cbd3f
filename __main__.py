"""The TVT platform program: one stack's shared audit services and data levels 1-3.

Config comes from ``stacks/Pulumi.<stack>.yaml`` (namespace ``tvt:``) and is validated before any
resource is declared; invalid config stops the program with the validator's message, no traceback.
"""

import pulumi

from components.config.load import load_program_config
from components.platform import Platform

platform = Platform("tvt", load_program_config())
for key, value in platform.outputs.items():
    pulumi.export(key, value)
