"""Runs of the real program under the capturing mocks, and the lookups the component tests share.

Each run costs a few seconds, so every capture is session-scoped and built once. Two families:
- ``model-<stack>``: ``Platform`` built from a StackConfig made here from the model, so the tests
  control exactly what is deployed (test is in ukwest, dev and prod in uksouth);
- ``main-<stack>``: ``__main__.py`` run by path with ``stacks/Pulumi.<stack>.yaml``'s config, as
  the engine would run it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from components.config.load import load_stack, read_stack_file, stack_file
from components.config.model import (
    DEFAULT_ZONES,
    AuditConfig,
    Environment,
    Grant,
    KeysConfig,
    LevelConfig,
    Partner,
    PartnerGroup,
    PartnerKind,
    Role,
    StackConfig,
    UseCase,
)
from components.platform import Platform
from scripts.engine.capture import Capture, CapturedResource, run_program
from tests.conftest import SUBSCRIPTION, TODAY, TODAY_DATE

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "__main__.py"
STACKS = ("dev", "test", "prod")
TENANT = "00000000-0000-4000-8000-200000000042"
SCOPES = ("audit", "l1", "l2", "l3")
LEVEL_SCOPES = ("l1", "l2", "l3")

PLATFORM = "tvt:platform:Platform"
AUDIT = "tvt:audit:AuditServices"
LEVEL = "tvt:level:DataLevel"
NETWORK = "tvt:network:PrivateNetwork"
KEYVAULT = "tvt:keyvault:KeyVault"
STORAGE = "tvt:storage:SecureStorage"

RG = "azure-native:resources:ResourceGroup"
NSG = "azure-native:network:NetworkSecurityGroup"
VNET = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
LOCK = "azure-native:authorization:ManagementLockAtResourceGroupLevel"
WORKSPACE = "azure-native:operationalinsights:Workspace"
DNS_ZONE = "azure-native:privatedns:PrivateZone"
DNS_LINK = "azure-native:privatedns:VirtualNetworkLink"
AMPLS = "azure-native:monitor:PrivateLinkScope"
AMPLS_RESOURCE = "azure-native:monitor:PrivateLinkScopedResource"
RETENTION = "azure-native:storage:BlobContainerImmutabilityPolicy"

# The contract's list of types without a ``tags`` input; every other Azure resource is tagged.
UNTAGGABLE = frozenset(
    {
        SUBNET,
        BLOB_SERVICE,
        CONTAINER,
        DIAGNOSTIC,
        ACTIVITY_LOG,
        ROLE_ASSIGNMENT,
        ROLE_DEFINITION,
        LOCK,
        ZONE_GROUP,
        AMPLS_RESOURCE,
        RETENTION,
    }
)

PARTNERS = (
    Partner(
        "thames-valley-police",
        "Thames Valley Police",
        PartnerKind.POLICE,
        (
            PartnerGroup("tvp-analysts", "00000000-0000-4000-8000-000000000a01", "TVP analysts"),
            PartnerGroup("tvp-data-ingest", "00000000-0000-4000-8000-000000000a02", "TVP extract uploaders"),
        ),
    ),
    Partner(
        "thames-valley-vru",
        "Thames Valley Violence Reduction Unit",
        PartnerKind.VRU,
        (
            PartnerGroup("vru-analysts", "00000000-0000-4000-8000-000000000a11", "VRU analysts"),
            PartnerGroup("vru-matching-team", "00000000-0000-4000-8000-000000000a12", "VRU matching"),
        ),
    ),
    Partner(
        "oxford-health-nhs-ft",
        "Oxford Health NHS Foundation Trust",
        PartnerKind.HEALTH,
        (PartnerGroup("ohft-safeguarding", "00000000-0000-4000-8000-000000000a21", "OHFT safeguarding"),),
    ),
)
USE_CASES = (
    UseCase("UC-2026-001", "Knife crime hotspot matching", 3, "DEC-2026-03", dt.date(2027, 9, 30)),
    UseCase("UC-2026-004", "Assault-related attendances", 3, "DEC-2026-07", dt.date(2028, 6, 30)),
    UseCase("UC-2026-003", "Night-time economy profile", 2, "DEC-2026-04", dt.date(2027, 12, 31)),
)
GRANTS = (
    Grant("tvp-data-ingest", 3, Role.INGEST_WRITER, "UC-2026-001", "landing"),
    Grant("vru-matching-team", 3, Role.READER, "UC-2026-001", "raw"),
    Grant("vru-matching-team", 3, Role.CONTRIBUTOR, "UC-2026-001", "matched"),
    Grant("ohft-safeguarding", 3, Role.READER, "UC-2026-004", "matched"),
    Grant("vru-analysts", 2, Role.CONTRIBUTOR, "UC-2026-003", "curated"),
    Grant("tvp-analysts", 2, Role.READER, None, "pseudonymised"),
    Grant("vru-analysts", 1, Role.CONTRIBUTOR, None),
    Grant("tvp-analysts", 1, Role.READER, None),
    Grant("ohft-safeguarding", 1, Role.READER, None, "dashboards"),
)
EXTRA_ZONES = {1: ("dashboards",), 2: (), 3: ()}


def make_config(stack: str, grants: tuple[Grant, ...] = GRANTS) -> StackConfig:
    """A valid StackConfig per stack: test is in ukwest (GRS, not GZRS); prod retains the longest."""
    environment = Environment(stack)
    base = {"dev": 60, "test": 70, "prod": 40}[stack]
    return StackConfig(
        stack=stack,
        environment=environment,
        location="ukwest" if stack == "test" else "uksouth",
        subscription_id=SUBSCRIPTION,
        tenant_id=TENANT,
        owner="tvt-platform-team",
        audit=AuditConfig(
            address_space=f"10.{base}.0.0/24",
            private_endpoint_subnet=f"10.{base}.0.0/26",
            log_retention_days=730 if environment is Environment.PROD else 90,
            archive_retention_days=2557 if environment is Environment.PROD else 30,
            archive_immutability_locked=environment is Environment.PROD,
            archive_created=dt.date(2026, 5, 4) if environment is Environment.PROD else None,
        ),
        keys=KeysConfig(first_version_expires=dt.date(2027, 12, 31)),
        levels=tuple(
            LevelConfig(
                n, f"10.{base + n}.0.0/24", f"10.{base + n}.0.0/26", (*DEFAULT_ZONES[n], *EXTRA_ZONES[n])
            )
            for n in (1, 2, 3)
        ),
        partners=PARTNERS,
        use_cases=USE_CASES,
        grants=grants,
        source=f"tests/components/{stack}",
    )


@dataclass
class Run:
    """One captured program run, with the lookups the tests need."""

    label: str
    config: StackConfig
    capture: Capture
    resources: list[CapturedResource] = field(init=False)

    def __post_init__(self) -> None:
        self.resources = self.capture.resources

    @property
    def is_prod(self) -> bool:
        return self.config.is_prod

    @cached_property
    def by_urn(self) -> dict[str, CapturedResource]:
        return self.capture.by_urn()

    @cached_property
    def custom(self) -> list[CapturedResource]:
        return [r for r in self.resources if r.custom]

    def ancestors(self, resource: CapturedResource) -> Iterator[CapturedResource]:
        parent = self.by_urn.get(resource.parent)
        while parent is not None:
            yield parent
            parent = self.by_urn.get(parent.parent)

    def scope_of(self, resource: CapturedResource) -> str | None:
        """``audit`` or ``l<n>``: the DataLevel/AuditServices the resource is (or sits) in."""
        for r in (resource, *self.ancestors(resource)):
            if r.type in (AUDIT, LEVEL):
                return r.name
        return None

    @cached_property
    def _scopes(self) -> dict[str, str | None]:
        return {r.urn: self.scope_of(r) for r in self.resources}

    def in_scope(self, scope: str, type_: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_ and self._scopes[r.urn] == scope]

    def one(
        self, scope: str, type_: str, where: Callable[[CapturedResource], bool] = lambda _: True
    ) -> CapturedResource:
        found = [r for r in self.in_scope(scope, type_) if where(r)]
        assert len(found) == 1, (
            f"{self.label}: expected one {type_} in {scope}, found {[r.name for r in found]}"
        )
        return found[0]

    def depends_on(self, resource: CapturedResource, prop: str, target: CapturedResource) -> bool:
        return target.urn in resource.property_dependencies.get(prop, ())


def capture_program(program: Callable[[], None] | Path, *, stack: str, config: Mapping[str, Any]) -> Capture:
    """``run_program`` with TVT_TODAY fixed (stack-file use cases expire relative to it), then restored."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TVT_TODAY", TODAY)
        subscription = str(config.get("tvt:subscriptionId", SUBSCRIPTION))
        return run_program(program, stack=stack, config=config, subscription_id=subscription)


class Runs:
    """Session cache: each program run happens at most once."""

    def __init__(self) -> None:
        self._runs: dict[str, Run] = {}

    def model(self, stack: str, grants: tuple[Grant, ...] = GRANTS, label: str = "") -> Run:
        label = label or f"model-{stack}"
        if label not in self._runs:
            config = make_config(stack, grants)

            def program() -> None:
                Platform("tvt", config)

            capture = capture_program(program, stack=stack, config={})
            self._runs[label] = Run(label, config, capture)
        return self._runs[label]

    def main(self, stack: str) -> Run:
        label = f"main-{stack}"
        if label not in self._runs:
            file_config = read_stack_file(stack_file(stack))
            config = load_stack(stack, today=TODAY_DATE)
            capture = capture_program(MAIN, stack=stack, config=file_config)
            self._runs[label] = Run(label, config, capture)
        return self._runs[label]
