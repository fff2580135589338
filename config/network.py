"""Which addresses are on the public internet: the one rule for every outgoing connection.

Used by the ingest guard (digest/ingest/guard.py) at connect time, and by the delivery channels
both when a reader saves a webhook URL and when a post connects (so a name that later resolves
to a private address, DNS rebinding, is refused too).
"""

from __future__ import annotations

import ipaddress


def is_private_address(address: str) -> bool:
    """True for loopback, RFC 1918, link-local (169.254.169.254, the cloud metadata address),
    unique-local, reserved and multicast addresses, an IPv4-mapped IPv6 form of any of them
    included (::ffff:127.0.0.1)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast
