"""Turn a rule parsed by pySigma into a Python predicate over our ``Event``.

pySigma parses and validates the rule (modifiers, wildcards, ``1 of``/``all of``
selectors, ``not``) into a condition tree whose leaves are (field, typed value) pairs;
this module compiles that tree once into closures, so an event costs a few function
calls. String matching is case-insensitive as Sigma specifies (``|cased`` makes it
case-sensitive); regular expressions (``|re``) run on RE2 (linear time, safe with rules
written by anyone) and are case-sensitive unless ``|re|i``.

``gate`` extracts from a condition a set of (field, literal) pairs one of which must occur
in the event for the rule to match: the detector uses it to skip rules cheaply.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.policy import default_policy
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)

from tinhso.soc.schema import Event
from tinhso.soc.sigma import fields

Matcher = Callable[["View"], bool]


class UnsupportedRule(ValueError):
    """The rule uses something this evaluator does not do (the message says what)."""


_MISSING = object()
_GET = fields.GETTERS.get


def _extra_getter(name: str):
    return lambda e: e.extra.get(name)


class View:
    """One event as the rules see it: field values read once, lowercased once."""

    __slots__ = ("_low", "_raw", "event")

    def __init__(self, event: Event) -> None:
        self.event = event
        self._raw: dict = {}
        self._low: dict = {}

    def raw(self, name: str):
        value = self._raw.get(name, _MISSING)
        if value is _MISSING:
            value = self._raw[name] = (_GET(name) or _extra_getter(name))(self.event)
        return value

    def low(self, name: str) -> str | None:
        low = self._low.get(name, _MISSING)
        if low is _MISSING:
            value = self.raw(name)
            if value is None:
                low = None
            elif value.__class__ is str:
                low = value.lower()
            else:
                low = str(value).lower()
            self._low[name] = low
        return low

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else str(value)


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _string_matcher(field: str, value: SigmaString) -> Matcher:
    cased = isinstance(value, SigmaCasedString)
    parts = list(value.s)
    for part in parts:
        if not isinstance(part, (str, SpecialChars)):
            raise UnsupportedRule(f"placeholder in value of field {field!r} is not supported")
    norm = (lambda s: s) if cased else (lambda s: s.lower())
    read = (lambda v: v.text(field)) if cased else (lambda v: v.low(field))
    specials = [p for p in parts if isinstance(p, SpecialChars)]
    star = SpecialChars.WILDCARD_MULTI
    if not specials:
        lit = norm("".join(parts))
        if field == fields.KEYWORD_FIELD:  # a keyword: found anywhere in the text
            return lambda v: (x := read(v)) is not None and lit in x
        return lambda v: read(v) == lit
    if field == fields.KEYWORD_FIELD:
        parts = ([star] if parts[0] != star else []) + parts + ([star] if parts[-1] != star else [])
        specials = [p for p in parts if isinstance(p, SpecialChars)]
    if len(parts) == 3 and parts[0] == star and parts[2] == star and isinstance(parts[1], str):
        lit = norm(parts[1])
        return lambda v: (x := read(v)) is not None and lit in x
    if len(parts) == 2 and parts[1] == star and isinstance(parts[0], str):
        lit = norm(parts[0])
        return lambda v: (x := read(v)) is not None and x.startswith(lit)
    if len(parts) == 2 and parts[0] == star and isinstance(parts[1], str):
        lit = norm(parts[1])
        return lambda v: (x := read(v)) is not None and x.endswith(lit)
    if parts == [star]:
        return lambda v: read(v) is not None
    pattern = "".join(
        re.escape(norm(p)) if isinstance(p, str) else (".*" if p == star else ".") for p in parts
    )
    rx = re.compile(pattern, re.DOTALL)
    return lambda v: (x := read(v)) is not None and rx.fullmatch(x) is not None


def _regex_matcher(field: str, value: SigmaRegularExpression) -> Matcher:
    flags = 0
    for flag in value.flags:
        flags |= SigmaRegularExpression.sigma_to_python_flags[flag]
    rx = default_policy.regex_engine.compile(str(value.regexp), flags)
    return lambda v: (x := v.text(field)) is not None and rx.search(x) is not None


def _cidr_matcher(field: str, value: SigmaCIDRExpression) -> Matcher:
    net = value.network

    def match(v: View) -> bool:
        x = v.text(field)
        if not x:
            return False
        try:
            return ipaddress.ip_address(x) in net
        except ValueError:
            return False

    return match


_COMPARE = {
    CompareOperators.LT: lambda a, b: a < b,
    CompareOperators.LTE: lambda a, b: a <= b,
    CompareOperators.GT: lambda a, b: a > b,
    CompareOperators.GTE: lambda a, b: a >= b,
    CompareOperators.NEQ: lambda a, b: a != b,
}


def _compare_matcher(field: str, value: SigmaCompareExpression) -> Matcher:
    op = _COMPARE[value.op]
    bound = float(value.number.number)

    def match(v: View) -> bool:
        x = _number(v.raw(field))
        return x is not None and op(x, bound)

    return match


def _value_matcher(field: str, value) -> Matcher:
    if isinstance(value, SigmaString):
        return _string_matcher(field, value)
    if isinstance(value, SigmaRegularExpression):
        return _regex_matcher(field, value)
    if isinstance(value, SigmaCIDRExpression):
        return _cidr_matcher(field, value)
    if isinstance(value, SigmaCompareExpression):
        return _compare_matcher(field, value)
    if isinstance(value, SigmaNumber):
        number = float(value.number)
        text = str(value.number).lower()
        return lambda v: _number(v.raw(field)) == number or v.low(field) == text
    if isinstance(value, SigmaBool):
        want = "true" if value.boolean else "false"
        return lambda v: v.low(field) == want
    if isinstance(value, SigmaNull):
        return lambda v: v.raw(field) in (None, "")
    if isinstance(value, SigmaExists):
        if value.exists:
            return lambda v: v.raw(field) not in (None, "")
        return lambda v: v.raw(field) in (None, "")
    if isinstance(value, SigmaFieldReference):
        other = fields.canonical(value.field)
        if value.starts_with:
            return lambda v: (x := v.low(field)) is not None and x.startswith(v.low(other) or "\0")
        if value.ends_with:
            return lambda v: (x := v.low(field)) is not None and x.endswith(v.low(other) or "\0")
        return lambda v: v.low(field) is not None and v.low(field) == v.low(other)
    if isinstance(value, SigmaExpansion):
        subs = [_value_matcher(field, x) for x in value.values]
        return lambda v: any(m(v) for m in subs)
    raise UnsupportedRule(f"value type {type(value).__name__} is not supported")


def compile_condition(node) -> Matcher:
    """Compile a post-processed pySigma condition tree into one predicate."""
    if isinstance(node, ConditionAND):
        subs = [compile_condition(a) for a in node.args]
        if len(subs) == 2:
            a, b = subs
            return lambda v: a(v) and b(v)
        return lambda v: all(m(v) for m in subs)
    if isinstance(node, ConditionOR):
        subs = [compile_condition(a) for a in node.args]
        if len(subs) == 2:
            a, b = subs
            return lambda v: a(v) or b(v)
        return lambda v: any(m(v) for m in subs)
    if isinstance(node, ConditionNOT):
        sub = compile_condition(node.args[0])
        return lambda v: not sub(v)
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _value_matcher(fields.canonical(node.field), node.value)
    if isinstance(node, ConditionValueExpression):
        return _value_matcher(fields.KEYWORD_FIELD, node.value)
    raise UnsupportedRule(f"condition element {type(node).__name__} is not supported")


MIN_GATE_LITERAL = 3


def gate(node) -> frozenset[tuple[str, str]] | None:
    """(field, lowercase literal) pairs one of which the field must contain for the
    condition to hold, or None when no such set can be told (the rule always runs)."""
    if isinstance(node, ConditionAND):
        best = None
        for arg in node.args:
            g = gate(arg)
            if g is not None and (best is None or _gate_cost(g) < _gate_cost(best)):
                best = g
        return best
    if isinstance(node, ConditionOR):
        out: set = set()
        for arg in node.args:
            g = gate(arg)
            if g is None:
                return None
            out |= g
        return frozenset(out)
    if isinstance(node, (ConditionFieldEqualsValueExpression, ConditionValueExpression)):
        value = node.value
        if not isinstance(value, SigmaString) or isinstance(value, SigmaCasedString):
            return None
        literals = [p for p in value.s if isinstance(p, str)]
        if not literals:
            return None
        lit = max(literals, key=len).lower()
        if len(lit) < MIN_GATE_LITERAL:
            return None
        field = (
            fields.canonical(node.field)
            if isinstance(node, ConditionFieldEqualsValueExpression)
            else fields.KEYWORD_FIELD
        )
        return frozenset({(field, lit)})
    return None  # NOT, regular expressions, numbers, ranges


def _gate_cost(g: frozenset) -> float:
    # fewer and longer literals prune more
    return len(g) / (1 + min(len(lit) for _, lit in g))
