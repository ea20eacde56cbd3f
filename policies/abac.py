"""Reading Azure ABAC role-assignment conditions: the one grammar the rules and the report share.

Only what this platform writes and checks is read (learn.microsoft.com, "Azure role assignment
condition format and syntax"): the actions a block targets with ``!(ActionMatches{...})``, the OR
before its expressions, ``@Environment[UtcNow] DateTimeLessThan`` bounds, the private-link
requirement and a blob-path prefix. Tolerant of spacing, letter case and quote style, so a
hand-edited or reformatted condition still parses; what the values say is judged by the caller.
"""

from __future__ import annotations

import re

BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"

TARGET = re.compile(r"!\s*\(\s*ActionMatches\s*\{\s*'([^']+)'\s*\}\s*\)", re.IGNORECASE)
OR = re.compile(r"\bOR\b|\|\|", re.IGNORECASE)
AND = re.compile(r"^\s*(AND|&&)\s*$", re.IGNORECASE)
UTC_NOW_BEFORE = re.compile(
    r"@Environment\s*\[\s*UtcNow\s*\]\s*DateTimeLessThan\s*(?:'([^']*)'|\"([^\"]*)\"|([^\s()]+))",
    re.IGNORECASE,
)
PRIVATE_LINK = re.compile(
    r"@Environment\s*\[\s*isPrivateLink\s*\]\s*BoolEquals\s*['\"]?true\b", re.IGNORECASE
)
# One folder: the partner's, e.g. 'thames-valley-police/'.
PATH_STARTS_WITH = re.compile(
    r"@Resource\s*\[\s*" + re.escape(BLOBS) + r":path\s*\]\s*StringStartsWith\s*'([^'/]+/)'",
    re.IGNORECASE,
)


def utc_now_bounds(text: str) -> list[str]:
    """Every ``UtcNow DateTimeLessThan`` literal in ``text``, whatever its quoting."""
    return ["".join(m.groups(default="")) for m in UTC_NOW_BEFORE.finditer(text)]


def targets(block_head: str) -> frozenset[str]:
    """The actions a block's head targets, lower-cased (suboperation-qualified matches do not count)."""
    return frozenset(a.lower() for a in TARGET.findall(block_head))


def top_level_blocks(condition: str) -> list[str]:
    """The condition's top-level parenthesised groups when only AND joins them, else the whole of it."""
    groups: list[str] = []
    connectors: list[str] = []
    depth = start = end = 0
    for i, char in enumerate(condition):
        if char == "(":
            if depth == 0:
                connectors.append(condition[end:i])
                start = i
            depth += 1
        elif char == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append(condition[start : i + 1])
                end = i + 1
    joined_by_and = all(AND.match(c) for c in connectors[1:]) and not condition[end:].strip()
    if groups and joined_by_and and not connectors[0].strip():
        return groups
    return [condition]
