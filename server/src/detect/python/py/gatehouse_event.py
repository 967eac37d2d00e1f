"""Read-only, case-insensitive views of an event: Panther's ImmutableCaseInsensitiveDict,
ImmutableList and PantherEvent semantics.

Nested dicts and lists are wrapped lazily, when a rule reads them, so an event costs nothing
for the fields no rule looks at. Keys are matched exactly first, then ignoring case.
"""

import copy
from collections.abc import Mapping, Sequence

__all__ = [
    "ImmutableCaseInsensitiveDict",
    "ImmutableList",
    "PantherEvent",
    "json_default",
]


def _read_only(kind):
    raise TypeError(f"{kind} is read-only: copy it with .to_dict() / .to_list() first")


def _freeze(value):
    kind = type(value)
    if kind is dict:
        return ImmutableCaseInsensitiveDict(value)
    if kind is list:
        return ImmutableList(value)
    return value


class ImmutableCaseInsensitiveDict(Mapping):
    """A dict that cannot change and whose string keys match regardless of case."""

    __slots__ = ("_data", "_lower")

    def __init__(self, data):
        self._data = data
        self._lower = None

    def _find(self, key):
        data = self._data
        try:
            return data[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable key is simply absent
            raise KeyError(key) from None
        if isinstance(key, str):
            lower = self._lower
            if lower is None:
                lower = {}
                for k in data:
                    if isinstance(k, str):
                        lower.setdefault(k.lower(), k)
                self._lower = lower
            real = lower.get(key.lower())
            if real is not None:
                return data[real]
        raise KeyError(key)

    def __getitem__(self, key):
        return _freeze(self._find(key))

    def get(self, key, default=None):
        try:
            return _freeze(self._find(key))
        except KeyError:
            return default

    def __contains__(self, key):
        try:
            self._find(key)
        except KeyError:
            return False
        return True

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __eq__(self, other):
        if isinstance(other, ImmutableCaseInsensitiveDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"{type(self).__name__}({self._data!r})"

    def __setitem__(self, key, value):
        _read_only("the event")

    def __delitem__(self, key):
        _read_only("the event")

    def to_dict(self):
        """A mutable deep copy."""
        return copy.deepcopy(self._data)

    def copy(self):
        return self.to_dict()


class ImmutableList(Sequence):
    """A list that cannot change; its dicts and lists are read-only too."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ImmutableList(self._data[index])
        return _freeze(self._data[index])

    def __iter__(self):
        return map(_freeze, self._data)

    def __len__(self):
        return len(self._data)

    def __contains__(self, value):
        return any(item == value for item in self)

    def __eq__(self, other):
        if isinstance(other, ImmutableList):
            return self._data == other._data
        if isinstance(other, (list, tuple)):
            return self._data == list(other)
        return NotImplemented

    __hash__ = None

    def __add__(self, other):
        return self.to_list() + list(other)

    def __repr__(self):
        return f"{type(self).__name__}({self._data!r})"

    def __setitem__(self, index, value):
        _read_only("the event's list")

    def __delitem__(self, index):
        _read_only("the event's list")

    def to_list(self):
        """A mutable deep copy."""
        return copy.deepcopy(self._data)

    def copy(self):
        return self.to_list()


class PantherEvent(ImmutableCaseInsensitiveDict):
    """The event a rule receives: `event["eventType"]`, `event.deep_get("actor", "id")`."""

    __slots__ = ()

    def deep_get(self, *keys, default=None):
        from panther_base_helpers import deep_get

        return deep_get(self, *keys, default=default)

    def deep_walk(self, *keys, default=None, return_val="all"):
        from panther_base_helpers import deep_walk

        return deep_walk(self, *keys, default=default, return_val=return_val)

    def udm(self, *keys, default=None):
        """Panther's data model for Okta.SystemLog: `actor_user`, `event_type`, `source_ip`,
        `user_agent`; any other name is looked up under `p_udm`."""
        if len(keys) == 1 and keys[0] in _OKTA_DATA_MODEL:
            value = _OKTA_DATA_MODEL[keys[0]](self)
            return default if value is None else value
        return self.deep_get("p_udm", *keys, default=default)


def _okta_actor_user(event):
    actor = event.deep_get("actor", "alternateId", default="unknown")
    if actor == "unknown":
        actor = event.deep_get("actor", "displayName", default="Unknown User")
    return actor


def _okta_event_type(event):
    """The standard event type of an Okta event (Panther's names), or None."""
    import panther_event_type_helpers as types

    kind = event.get("eventType")
    outcome = event.deep_get("outcome", "result")
    if kind == "user.session.start":
        return {"FAILURE": types.FAILED_LOGIN, "SUCCESS": types.SUCCESSFUL_LOGIN}.get(outcome)
    if kind in ("user.mfa.factor.deactivate", "user.mfa.factor.suspend"):
        reason = event.deep_get("outcome", "reason", default="") or ""
        return types.MFA_RESET if reason.startswith("User reset") else types.MFA_DISABLED
    if kind in ("user.mfa.factor.activate", "user.mfa.factor.unsuspend", "user.mfa.factor.update"):
        return types.MFA_ENABLED
    if kind == "system.mfa.factor.deactivate":
        return types.ADMIN_MFA_DISABLED
    return None


_OKTA_DATA_MODEL = {
    "actor_user": _okta_actor_user,
    "event_type": _okta_event_type,
    "source_ip": lambda event: event.deep_get("client", "ipAddress"),
    "user_agent": lambda event: event.deep_get("client", "userAgent", "rawUserAgent"),
}


def json_default(value):
    """`json.dumps(..., default=json_default)`: the read-only views serialize as their data."""
    if isinstance(value, (ImmutableCaseInsensitiveDict, ImmutableList)):
        return value._data
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
