"""Gatehouse's panther_base_helpers: the generic helpers Panther's rules import
(`from panther_base_helpers import deep_get, deep_walk, is_ip_in_network`)."""

from collections.abc import Mapping
from fnmatch import fnmatch
from ipaddress import ip_address, ip_network

from gatehouse_event import ImmutableList
from panther_okta_helpers import okta_alert_context  # older rules import it from here

__all__ = [
    "deep_get",
    "deep_walk",
    "is_ip_in_network",
    "get_val_from_list",
    "okta_alert_context",
    "pattern_match",
    "pattern_match_list",
]

_LISTS = (list, tuple, ImmutableList)


def deep_get(dictionary, *keys, default=None):
    """The value at `keys` in nested maps; `default` when any level is missing, not a map,
    or the value is None."""
    value = dictionary
    for key in keys:
        if not isinstance(value, Mapping):
            return default
        value = value.get(key)
        if value is None:
            return default
    return default if value is None else value


def _all_empty(value):
    return isinstance(value, _LISTS) and all(_all_empty(item) for item in value)


def deep_walk(obj, *keys, default=None, return_val="all"):
    """Like deep_get, but walks into lists too, collecting every value found (without
    duplicates, in order). One value comes back as itself, several as a list;
    `return_val="first"` / `"last"` pick one. `default` when nothing (or only empty lists)."""
    if not keys:
        return default if _all_empty(obj) else obj
    if isinstance(obj, Mapping):
        value = obj.get(keys[0])
        if value is None:
            return default
        return deep_walk(value, *keys[1:], default=default, return_val=return_val)
    if not isinstance(obj, _LISTS):
        return default
    found = []
    for item in obj:
        value = deep_walk(item, *keys, default=default, return_val=return_val)
        if value is None:
            continue
        for one in value if isinstance(value, _LISTS) else (value,):
            if one not in found:
                found.append(one)
    if not found:
        return default
    if return_val == "first":
        return found[0]
    if return_val == "last":
        return found[-1]
    return found[0] if len(found) == 1 else found


def is_ip_in_network(ip_addr, networks):
    """True when `ip_addr` is inside any of the CIDR `networks`."""
    address = ip_address(ip_addr)
    return any(address in ip_network(network, strict=False) for network in networks)


def get_val_from_list(list_of_dicts, return_field_key, field_cmp_key, field_cmp_val):
    """The set of `return_field_key` values of the dicts whose `field_cmp_key` equals
    `field_cmp_val`."""
    return {
        item.get(return_field_key)
        for item in list_of_dicts or ()
        if item.get(field_cmp_key) == field_cmp_val
    }


def pattern_match(string_to_match, pattern):
    return fnmatch(string_to_match, pattern)


def pattern_match_list(string_to_match, patterns):
    return any(fnmatch(string_to_match, p) for p in patterns)
