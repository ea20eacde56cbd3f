"""What the reports take from the stack config: group names, use cases (the plan holds only ids).

Built from the validated :class:`~components.config.model.StackConfig` by ``tvt plan``, or from the
stack file of a saved plan by ``tvt report``; without one (:data:`NO_FACTS`) the reports show ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from components.config.model import StackConfig


@dataclass(frozen=True)
class UseCaseFacts:
    id: str
    title: str
    level: int
    approval: str
    expires: dt.date


@dataclass(frozen=True)
class StackFacts:
    source: str  # the stack file, as reports name it ("" when there is none)
    groups: Mapping[str, str] = field(default_factory=dict)  # lower-cased objectId -> display name
    use_cases: tuple[UseCaseFacts, ...] = ()

    def group_name(self, object_id: str) -> str:
        return self.groups.get(object_id.lower(), object_id)

    def use_case_title(self, use_case_id: str) -> str:
        return self._titles.get(use_case_id, "")

    @cached_property
    def _titles(self) -> Mapping[str, str]:
        """Use case id -> title, the first of an id winning; built once, since every access row asks."""
        titles: dict[str, str] = {}
        for u in self.use_cases:
            titles.setdefault(u.id, u.title)
        return titles


NO_FACTS = StackFacts("")


def stack_facts(config: StackConfig) -> StackFacts:
    groups = {g.object_id.lower(): g.display_name for p in config.partners for g in p.groups}
    cases = tuple(UseCaseFacts(u.id, u.title, u.level, u.approval_ref, u.expires) for u in config.use_cases)
    return StackFacts(config.source, MappingProxyType(groups), cases)
