"""network-nsg-deny-internet-inbound: which inbound Allow sources count as private."""

from __future__ import annotations

import pytest

from policies.rules.network.nsg_deny_internet_inbound import is_private_source


@pytest.mark.parametrize(
    "source",
    [
        "10.0.0.0/8",
        "10.43.0.0/26",
        "172.16.0.0/12",
        "172.31.255.255",
        "192.168.1.0/24",
        "100.64.0.0/10",  # RFC 6598 shared address space
        "100.127.0.1",
        "VirtualNetwork",
        "virtualnetwork",
        "AzureLoadBalancer",
    ],
)
def test_private_sources(source: str) -> None:
    assert is_private_source(source)


@pytest.mark.parametrize(
    "source",
    [
        "203.0.113.0/24",
        "0.0.0.0/1",  # half the internet, looks narrow in review
        "0.0.0.0/0",
        "10.0.0.0/7",  # wider than 10/8
        "100.128.0.0/9",  # next to, not inside, 100.64/10
        "172.32.0.0/16",
        "*",
        "Any",
        "Internet",
        "AzureCloud",  # a service tag for every Azure public address
        "::/0",
        "fd00::/8",
        "10.0.0.0/33",
        "",
    ],
)
def test_public_or_unprovable_sources(source: str) -> None:
    assert not is_private_source(source)
