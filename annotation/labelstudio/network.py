"""Which addresses a local Label Studio may call: its SSRF guard, opened for this machine only.

Label Studio 1.23.2 refuses to call a URL that resolves to a reserved network (loopback,
private ranges, link-local...) unless ``USE_DEFAULT_BANNED_SUBNETS=false``: an ML backend on
``127.0.0.1`` is answered ``403 URL resolves to a reserved network address``.  Turning the
default list off alone would open every private network to whoever can create an ML backend or
a webhook, so ``studio up`` turns it off *and* bans the same ranges again through
``USER_ADDITIONAL_BANNED_SUBNETS``, minus loopback: the server may call a backend on this
machine, and nothing else on a private network.  See docs/serve.md for production settings.
"""

from __future__ import annotations

__all__ = ["ALLOWED_SUBNETS", "BANNED_SUBNETS", "loopback_backend_environment"]

#: Label Studio 1.23.2's default banned subnets (core/utils/io.py) without the two loopbacks.
BANNED_SUBNETS: tuple[str, ...] = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "233.252.0.0/24",
    "240.0.0.0/4",
    "255.255.255.255/32",
    "::/128",
    "::ffff:0:0/96",
    "::ffff:0:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001:0000::/32",
    "2001:20::/28",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)
#: What the environment below lets Label Studio reach that its defaults would not.
ALLOWED_SUBNETS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")


def loopback_backend_environment() -> dict[str, str]:
    """Environment entries that let Label Studio call an ML backend or webhook on loopback only."""
    return {
        "USE_DEFAULT_BANNED_SUBNETS": "false",
        "USER_ADDITIONAL_BANNED_SUBNETS": ",".join(BANNED_SUBNETS),
    }
