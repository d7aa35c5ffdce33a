"""Load Sigma rule files (YAML) from the shipped folder and TINHSO_SOC_RULE_DIRS.

Each file is parsed and validated on its own with pySigma; a file with any error (bad
YAML, a rule pySigma refuses, something this evaluator does not support, a duplicate id,
a bad ``tinhso:`` block) is skipped whole, its errors logged and counted, and the other
files load. Correlation rules are then resolved against every rule loaded; one that names
a rule not loaded is skipped the same way.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule, SigmaCorrelationType
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from tinhso.soc.sigma import fields
from tinhso.soc.sigma.compiler import UnsupportedRule, compile_condition, gate

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "rules"
SUFFIXES = (".yml", ".yaml")
MAX_FILE_BYTES = 1024 * 1024

SEVERITY = {
    "informational": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "critical": "critical",
}
DECISIONS = ("", "ban", "rate_limit", "challenge")
SCOPES = ("ip", "user")

# logsource -> the kinds of event the rule looks at (an event has one or more kinds)
KIND_WEB, KIND_AUTH, KIND_FIREWALL, KIND_SYSLOG, KIND_ANY = (
    "web",
    "authentication",
    "firewall",
    "syslog",
    "any",
)


def logsource_kind(logsource) -> str:
    category = (logsource.category or "").lower()
    product = (logsource.product or "").lower()
    service = (logsource.service or "").lower()
    if category in ("webserver", "proxy") or product in ("nginx", "apache", "tinhso"):
        return KIND_WEB if category != "authentication" else KIND_AUTH
    if category == "authentication":
        return KIND_AUTH
    if category in ("firewall", "network_connection") or service in (
        "iptables",
        "nftables",
        "firewall",
    ):
        return KIND_FIREWALL
    if service in ("sshd", "syslog", "auth") or product == "linux":
        return KIND_SYSLOG
    return KIND_ANY


def event_kinds(event) -> tuple[str, ...]:
    kinds = [KIND_ANY]
    if event.method or event.url:
        kinds.append(KIND_WEB)
    if event.outcome.startswith("login"):
        kinds.append(KIND_AUTH)
    if event.extra.get("firewall") or event.source == "firewall":
        kinds.append(KIND_FIREWALL)
    if event.source == "syslog":
        kinds.append(KIND_SYSLOG)
    return tuple(kinds)


@dataclass(eq=False)
class _Common:
    id: str
    name: str  # what alerts and decisions record (Sigma ``name``, else the id)
    title: str
    severity: str
    decision: str
    scope: str
    path: str
    description: str = ""


@dataclass(eq=False)
class DetectionRule(_Common):
    """A Sigma detection rule compiled for our events."""

    kind: str = KIND_ANY
    match: object = None  # View -> bool
    gate: frozenset | None = None
    logsource: str = ""


@dataclass(eq=False)
class CorrelationRule(_Common):
    """A Sigma correlation over other rules (state lives in the detector)."""

    type: str = "event_count"
    rules: list[str] = field(default_factory=list)  # names of the rules it correlates
    group_by: list[str] = field(default_factory=list)  # canonical field names
    aliases: dict = field(default_factory=dict)  # group-by alias -> {rule name: field}
    timespan: int = 60
    op: str = "gte"
    count: float = 1
    value_field: str = ""
    generate: bool = False
    all_rules: bool = True  # temporal without a condition: every rule must match


@dataclass
class RuleSet:
    rules: list[DetectionRule] = field(default_factory=list)
    correlations: list[CorrelationRule] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    files: int = 0

    @property
    def by_name(self) -> dict:
        return {r.name: r for r in [*self.rules, *self.correlations]}


def _tinhso_block(rule, errors: list[str]) -> tuple[str, str]:
    block = rule.custom_attributes.get("tinhso") or {}
    if not isinstance(block, dict):
        errors.append("'tinhso' must be a mapping (decision, scope)")
        return "", "ip"
    decision = str(block.get("decision") or "")
    scope = str(block.get("scope") or "ip")
    if decision not in DECISIONS:
        errors.append(f"tinhso.decision {decision!r} is not one of ban, rate_limit, challenge")
    if scope not in SCOPES:
        errors.append(f"tinhso.scope {scope!r} is not ip or user")
    return decision, scope


def _common(rule, path: Path, errors: list[str]) -> dict:
    if rule.id is None:
        errors.append(f"rule {rule.title!r} has no id (a UUID)")
    decision, scope = _tinhso_block(rule, errors)
    level = rule.level.name.lower() if rule.level is not None else "medium"
    rid = str(rule.id) if rule.id else ""
    name = rule.name or rid
    if len(name) > 64:
        errors.append(f"name {name!r} is longer than 64 characters")
    return {
        "id": rid,
        "name": name,
        "title": rule.title or name,
        "severity": SEVERITY.get(level, "medium"),
        "decision": decision,
        "scope": scope,
        "path": str(path),
        "description": rule.description or "",
    }


def _compile_detection(rule: SigmaRule, path: Path, errors: list[str]) -> DetectionRule | None:
    common = _common(rule, path, errors)
    matchers, gates = [], []
    try:
        for condition in rule.detection.parsed_condition:
            tree = condition.parse()
            matchers.append(compile_condition(tree))
            gates.append(gate(tree))
    except (SigmaError, UnsupportedRule) as exc:
        errors.append(f"rule {common['title']!r}: {exc}")
        return None
    if len(matchers) == 1:
        match, rule_gate = matchers[0], gates[0]
    else:  # several conditions: any of them
        match = lambda v: any(m(v) for m in matchers)  # noqa: E731
        rule_gate = None if any(g is None for g in gates) else frozenset().union(*gates)
    ls = rule.logsource
    return DetectionRule(
        **common,
        kind=logsource_kind(ls),
        match=match,
        gate=rule_gate,
        logsource="/".join(x for x in (ls.category, ls.product, ls.service) if x),
    )


_CORRELATION_TYPES = {
    SigmaCorrelationType.EVENT_COUNT: "event_count",
    SigmaCorrelationType.VALUE_COUNT: "value_count",
    SigmaCorrelationType.TEMPORAL: "temporal",
    SigmaCorrelationType.TEMPORAL_ORDERED: "temporal_ordered",
}


def _compile_correlation(
    rule: SigmaCorrelationRule, path: Path, errors: list[str]
) -> CorrelationRule | None:
    common = _common(rule, path, errors)
    kind = _CORRELATION_TYPES.get(rule.type)
    if kind is None:
        errors.append(f"correlation {common['title']!r}: type {rule.type} is not supported")
        return None
    raw = rule.custom_attributes.get("correlation") or {}
    condition = rule.condition
    if not hasattr(condition, "op"):
        errors.append(
            f"correlation {common['title']!r}: extended (text) conditions are not supported"
        )
        return None
    value_field = condition.fieldref or ""
    if isinstance(value_field, list):
        if len(value_field) != 1:
            errors.append(f"correlation {common['title']!r}: one condition field only")
            return None
        value_field = value_field[0]
    aliases = {
        alias.alias: {ref.reference: fields.canonical(f) for ref, f in alias.mapping.items()}
        for alias in rule.aliases
    }
    return CorrelationRule(
        **common,
        type=kind,
        rules=[ref.reference for ref in rule.rules or []],
        group_by=[g if g in aliases else fields.canonical(g) for g in rule.group_by or []],
        aliases=aliases,
        timespan=rule.timespan.seconds,
        op=condition.op.name.lower(),
        count=condition.count,
        value_field=fields.canonical(value_field) if value_field else "",
        generate=bool(rule.generate),
        all_rules=kind == "temporal_ordered" or "condition" not in raw,
    )


def parse_file(path: Path) -> tuple[list, list[str]]:
    """The rules of one file, compiled, and its errors (rules are [] when any error)."""
    errors: list[str] = []
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [f"larger than {MAX_FILE_BYTES} bytes"]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"cannot be read: {exc}"]
    try:
        collection = SigmaCollection.from_yaml(text, collect_errors=True, resolve_references=False)
    except Exception as exc:  # pySigma raises yaml and its own errors here
        return [], [f"not valid YAML/Sigma: {exc}"]
    in_rules = {id(e) for rule in collection.rules for e in rule.errors}
    errors.extend(str(e) for e in collection.errors or [] if id(e) not in in_rules)
    if not collection.rules and not errors:
        errors.append("no rule in the file")
    out = []
    for rule in collection.rules:
        for exc in rule.errors:
            errors.append(f"rule {getattr(rule, 'title', None)!r}: {exc}")
        if rule.errors:
            continue
        if isinstance(rule, SigmaCorrelationRule):
            compiled = _compile_correlation(rule, path, errors)
        elif isinstance(rule, SigmaRule):
            compiled = _compile_detection(rule, path, errors)
        else:
            errors.append(f"{type(rule).__name__} is not supported")
            continue
        if compiled is not None:
            try:
                uuid.UUID(compiled.id)
            except ValueError:
                errors.append(f"rule {compiled.title!r}: id {compiled.id!r} is not a UUID")
            out.append(compiled)
    return ([] if errors else out), errors


def rule_files(dirs: list[Path | str]) -> list[Path]:
    files = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(sorted(p for p in d.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
    return files


def load_dirs(dirs: list[Path | str]) -> RuleSet:
    """Every valid rule of the folders (files in name order); errors collected, never raised."""
    ruleset = RuleSet()
    seen: dict[str, str] = {}
    for d in dirs:
        if not Path(d).exists():
            ruleset.errors.append((str(d), "no such file or folder"))
    for path in rule_files(dirs):
        ruleset.files += 1
        compiled, errors = parse_file(path)
        for c in compiled:
            for key in (c.id, c.name):
                if key in seen:
                    errors.append(f"rule {c.title!r}: {key} already defined in {seen[key]}")
        if errors:
            ruleset.errors.extend((str(path), e) for e in errors)
            continue
        for c in compiled:
            seen[c.id] = seen[c.name] = str(path)
            if isinstance(c, CorrelationRule):
                ruleset.correlations.append(c)
            else:
                ruleset.rules.append(c)
    _resolve(ruleset)
    for path, message in ruleset.errors:
        log.error("soc: Sigma rule file %s skipped: %s", path, message)
    return ruleset


def _resolve(ruleset: RuleSet) -> None:
    """Correlations name their rules by id or name: refer to them by name, drop the
    correlations whose rules are missing (repeat: a correlation may use another)."""
    changed = True
    while changed:
        changed = False
        names = {}
        for r in [*ruleset.rules, *ruleset.correlations]:
            names[r.id] = names[r.name] = r.name
        for corr in list(ruleset.correlations):
            missing = [ref for ref in corr.rules if ref not in names]
            if missing:
                ruleset.correlations.remove(corr)
                ruleset.errors.append(
                    (corr.path, f"correlation {corr.title!r}: no rule {', '.join(missing)}")
                )
                changed = True
                continue
            corr.rules = [names[ref] for ref in corr.rules]
            corr.aliases = {
                alias: {names.get(ref, ref): f for ref, f in mapping.items()}
                for alias, mapping in corr.aliases.items()
            }


_cache_lock = threading.Lock()
_cache: dict = {}


def configured_dirs() -> list[Path]:
    from tinhso.soc import conf

    return [SHIPPED_DIR, *[Path(d) for d in conf.get("TINHSO_SOC_RULE_DIRS") if d]]


def load_configured() -> RuleSet:
    """The shipped rules plus TINHSO_SOC_RULE_DIRS, parsed once per set of file versions."""
    dirs = configured_dirs()
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in rule_files(dirs))
    key = (tuple(str(d) for d in dirs), stamp)
    with _cache_lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = load_dirs(dirs)
        return _cache[key]
