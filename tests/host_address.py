"""This machine's own network address, for tests that need a hub that is not on loopback."""

from __future__ import annotations

import ipaddress
import socket

import pytest


def this_machines_address() -> str:
    """A non-loopback IPv4 address of this machine (the route a packet to a documentation address would take);
    the test fails loudly on a machine without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("198.51.100.1", 9))
        address = s.getsockname()[0]
    if ipaddress.ip_address(address).is_loopback:
        pytest.fail("this test needs a network address other than loopback (an interface with an IPv4 address)")
    return address
