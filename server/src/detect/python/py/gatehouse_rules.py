"""Loading and running one Panther-style rule; called from Rust (detect/python/evaluate.rs).

`evaluate(rule, event)` returns None when the rule does not match, else a tuple of plain values
(see MATCH_FIELDS) that Rust turns into a Match. Errors in `rule()` raise RuleError; errors in
the optional functions fall back to the default and are listed in the tuple's `errors`, as
Panther's engine keeps the alert and reports the error beside it.
"""

import json
from collections.abc import Mapping
import traceback
import types

from gatehouse_event import PantherEvent, json_default


class RuleTimeout(BaseException):
    """Injected by the Rust watchdog into a rule that runs past its time limit. A
    BaseException so that a rule's `except Exception:` does not swallow it."""


class RuleError(Exception):
    """rule() (or loading the file) failed; the message says where."""


SEVERITIES = ("INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL")
ALERT_CONTEXT_MAX_BYTES = 200_000
OPTIONAL = (
    "title",
    "dedup",
    "severity",
    "alert_context",
    "runbook",
    "reference",
    "destinations",
    "description",
)
MATCH_FIELDS = (
    "title",
    "dedup",
    "severity",
    "alert_context_json",
    "runbook",
    "reference",
    "description",
    "destinations",
    "errors",
)


def describe(exc, filename):
    """`KeyError: 'actor' (line 7 of rule.py, in title)`: the exception and the deepest line of
    the rule's own file in its traceback."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            where = frame
    if where is not None:
        text += f" (line {where.lineno} of {filename}, in {where.name})"
    return text


class LoadedRule:
    """A rule file, compiled and executed, with its functions looked up once."""

    __slots__ = ("rule_id", "filename", "default_title", "rule") + OPTIONAL

    def __init__(self, rule_id, filename, default_title, module):
        self.rule_id = rule_id
        self.filename = filename
        self.default_title = default_title
        self.rule = getattr(module, "rule", None)
        if not callable(self.rule):
            raise RuleError(f"{filename} defines no `def rule(event)` function")
        for name in OPTIONAL:
            value = getattr(module, name, None)
            setattr(self, name, value if callable(value) else None)


def load(rule_id, filename, source, default_title):
    """Compiles and runs a rule file in a module of its own (not in sys.modules)."""
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        raise RuleError(
            f"syntax error on line {exc.lineno} of {filename}: {exc.msg}"
        ) from None
    except ValueError as exc:  # e.g. NUL bytes in the source
        raise RuleError(f"{filename} cannot be compiled: {exc}") from None
    module = types.ModuleType(filename[:-3] if filename.endswith(".py") else filename)
    module.__file__ = filename
    try:
        exec(code, module.__dict__)
    except RuleTimeout:
        raise
    except BaseException as exc:  # noqa: BLE001 - a rule's import must never stop the host
        raise RuleError(f"loading {filename} failed: {describe(exc, filename)}") from None
    return LoadedRule(rule_id, filename, default_title, module)


def make_event(data):
    """The event a rule sees, from plain Python objects (or JSON text)."""
    return PantherEvent(json.loads(data) if isinstance(data, str) else data)


def _call(rule, name, event, expected, errors):
    """Calls an optional function; its result if of the expected type, else None (and an
    error in words)."""
    func = getattr(rule, name)
    if func is None:
        return None
    try:
        value = func(event)
    except RuleTimeout:
        raise
    except BaseException as exc:  # noqa: BLE001
        errors.append(f"{name}(): {describe(exc, rule.filename)}")
        return None
    if value is None or isinstance(value, expected):
        return value
    errors.append(
        f"{name}() returned {type(value).__name__}, expected {expected_name(expected)}"
    )
    return None


def expected_name(expected):
    if isinstance(expected, tuple):
        return " or ".join(t.__name__ for t in expected)
    return expected.__name__


def evaluate(rule, event):
    try:
        matched = rule.rule(event)
    except RuleTimeout:
        raise
    except BaseException as exc:  # noqa: BLE001
        raise RuleError(f"rule(): {describe(exc, rule.filename)}") from None
    if not isinstance(matched, bool):
        raise RuleError(f"rule() returned {type(matched).__name__}, expected bool")
    if not matched:
        return None

    errors = []
    title = _call(rule, "title", event, str, errors)
    dedup = _call(rule, "dedup", event, str, errors)
    if not dedup:
        # Panther: the title, or a per-rule constant when the rule has no title().
        dedup = title if title else rule.rule_id
    if title is None:
        title = rule.default_title

    severity = _call(rule, "severity", event, str, errors)
    if severity is not None:
        severity = severity.strip().upper()
        if severity == "DEFAULT":
            severity = None
        elif severity not in SEVERITIES:
            errors.append(
                f"severity() returned {severity!r}, expected one of "
                + ", ".join(SEVERITIES)
                + " or DEFAULT"
            )
            severity = None

    context_json = None
    context = _call(rule, "alert_context", event, Mapping, errors)
    if context is not None:
        try:
            context_json = json.dumps(context, default=json_default)
        except (TypeError, ValueError) as exc:
            errors.append(f"alert_context() returned a value that is not JSON: {exc}")
        else:
            if len(context_json) > ALERT_CONTEXT_MAX_BYTES:
                errors.append(
                    f"alert_context() is {len(context_json)} bytes, more than "
                    f"{ALERT_CONTEXT_MAX_BYTES}"
                )
                context_json = None

    destinations = _call(rule, "destinations", event, (list, tuple), errors)
    if destinations is not None:
        if all(isinstance(d, str) for d in destinations):
            destinations = list(destinations)
        else:
            errors.append("destinations() must return a list of strings")
            destinations = None

    return (
        title,
        dedup,
        severity,
        context_json,
        _call(rule, "runbook", event, str, errors),
        _call(rule, "reference", event, str, errors),
        _call(rule, "description", event, str, errors),
        destinations,
        errors,
    )
