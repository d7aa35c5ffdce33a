"""Request inspection in the manner of the OWASP Core Rule Set: rules add to an anomaly score.

Each rule has an id, a paranoia level (1 = few false positives .. 4 = strict), a pattern,
a score (5 critical, 4 error, 3 warning, 2 notice, like CRS) and a category. The patterns
are this project's own. They run on the decoded, normalised path, each argument name and
value, and the user agent. A request whose score reaches the inbound threshold (5 by
default) is an attack.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from re import _constants as _c
from re import _parser
from urllib.parse import unquote, unquote_plus

from tinhso.soc.schema import Event

CRITICAL, ERROR, WARNING, NOTICE = 5, 4, 3, 2
DEFAULT_THRESHOLD = 5
MAX_TARGET_CHARS = 4096
MAX_ARGS = 64


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    category: str
    paranoia: int
    score: int
    pattern: re.Pattern
    targets: str = "args"  # args (path + names + values), ua, request
    description: str = ""


def _r(rule_id, category, paranoia, score, pattern, targets="args", description=""):
    return Rule(rule_id, category, paranoia, score, re.compile(pattern), targets, description)


RULES: tuple[Rule, ...] = (
    # SQL injection
    _r(
        1001,
        "sqli",
        1,
        CRITICAL,
        r"\bunion\b[\s(]+(?:all\s+|distinct\s+)?\(?\s*select\b",
        description="UNION SELECT",
    ),
    _r(
        1002,
        "sqli",
        1,
        CRITICAL,
        r"['\"`)]\s*(?:or|and|xor|\|\||&&)\s*[\w'\"(@]",
        description="quote then boolean",
    ),
    _r(
        1003,
        "sqli",
        1,
        CRITICAL,
        r"\b(?:or|and|having|where)\s+['\"]?\w*['\"]?\s*(?:=|<>|!=|like)\s*['\"]?\w*['\"]?\s*(?:--|#|/\*|;|$)|\b(?:or|and)\s+\d+\s*[=<>]\s*\d+",
        description="tautology",
    ),
    _r(
        1004,
        "sqli",
        1,
        CRITICAL,
        r";\s*(?:drop|delete|insert|update|shutdown|exec|execute|declare|create|alter|truncate)\b",
        description="stacked query",
    ),
    _r(
        1005,
        "sqli",
        1,
        CRITICAL,
        r"\b(?:sleep|benchmark|pg_sleep|dbms_pipe\.receive_message)\s*\(|\bwaitfor\s+(?:delay|time)\b",
        description="time-based",
    ),
    _r(
        1006,
        "sqli",
        1,
        CRITICAL,
        r"\b(?:information_schema|sysobjects|syscolumns|pg_catalog|sqlite_master|mysql\.user|all_tables)\b",
        description="catalogue",
    ),
    _r(1007, "sqli", 1, CRITICAL, r"['\"`)]\s*(?:--|#|/\*|;)", description="quote then comment"),
    _r(
        1008,
        "sqli",
        1,
        CRITICAL,
        r"\b(?:select|insert|update|delete)\b[^\n]{0,80}?\b(?:from|into|set|where)\b[^\n]{0,80}?(?:['\"=(]|--|/\*)",
        description="SQL statement",
    ),
    _r(
        1009,
        "sqli",
        1,
        CRITICAL,
        r"\b(?:extractvalue|updatexml|load_file|into\s+(?:out|dump)file|utl_http|xp_cmdshell|char\s*\(\s*\d+\s*(?:,|\)))",
        description="SQL functions",
    ),
    _r(
        1013,
        "sqli",
        1,
        CRITICAL,
        r"\(\s*select\b|\bcase\s+when\b|\biif\s*\(|\(\s*\d+\s*=\s*\d+\s*\)|\b(?:randomblob|make_set|rlike|regexp_substring|sysusers|sysdatabases|from\s+dual|procedure\s+analyse)\b",
        description="subquery, CASE WHEN, blind probes",
    ),
    _r(
        1010,
        "sqli",
        2,
        WARNING,
        r"@@\w+|\bconcat(?:_ws)?\s*\(|\b0x[0-9a-f]{6,}\b|\bcast\s*\(|\bconvert\s*\(|\bnull\s*,\s*null\b",
        description="SQL fragments",
    ),
    _r(
        1011,
        "sqli",
        2,
        WARNING,
        r"(?:--|/\*|\*/|#)\s*$|\border\s+by\s+\d+|\bgroup\s+by\b",
        description="comment tail, ORDER BY n",
    ),
    _r(1012, "sqli", 3, NOTICE, r"['\"`]", description="any quote"),
    # Cross-site scripting
    _r(2001, "xss", 1, CRITICAL, r"<\s*/?\s*script\b", description="script tag"),
    _r(
        2002,
        "xss",
        1,
        CRITICAL,
        r"<[a-z!/][^>]*?[\s/\"'](?:on[a-z]{3,}|formaction|srcdoc)\s*=",
        description="event handler attribute",
    ),
    _r(
        2003,
        "xss",
        1,
        CRITICAL,
        r"(?:java|vb|live)script\s*:|data\s*:\s*text/html",
        description="script URI",
    ),
    _r(
        2004,
        "xss",
        1,
        CRITICAL,
        r"<\s*(?:iframe|frame|object|embed|applet|svg|math|base|meta|link|style|xml|isindex|marquee|img|body|input|form|video|audio|details)\b",
        description="dangerous tag",
    ),
    _r(
        2005,
        "xss",
        1,
        CRITICAL,
        r"\b(?:document\s*\.\s*(?:cookie|location|write|domain)|window\s*\.\s*location|alert\s*[(`]|prompt\s*\(|confirm\s*\(|eval\s*\(|string\.fromcharcode|expression\s*\()",
        description="script API",
    ),
    _r(
        2007,
        "xss",
        1,
        CRITICAL,
        r"<\?(?:xml|import)\b|\bxmlns:\w+|\bscript\s*(?:alert|document)\b|<\s*xss\b",
        description="XML islands, stripped script tags",
    ),
    _r(2006, "xss", 2, WARNING, r"<\s*[a-z]+[^>]*>|<\s*/\s*[a-z]+\s*>", description="any tag"),
    # Path traversal and local files
    _r(
        3001,
        "path-traversal",
        1,
        CRITICAL,
        r"(?:^|[/\\=])\.{2,}[/\\]|[/\\]\.{2,}(?:$|[/\\])",
        description="dot-dot segment",
    ),
    _r(
        3002,
        "path-traversal",
        1,
        CRITICAL,
        r"(?:/etc/(?:passwd|shadow|group|hosts|issue)|/proc/self/|boot\.ini|win\.ini|system32|\.htaccess|\.htpasswd|web\.config|/\.git/|/\.env\b)",
        description="sensitive file",
    ),
    _r(
        3003,
        "path-traversal",
        1,
        CRITICAL,
        r"(?:file|php|zip|phar|expect|glob)://",
        description="stream wrapper",
    ),
    _r(
        3005,
        "path-traversal",
        1,
        CRITICAL,
        r"\.{4,}|web-inf|\bglobal\.asa\b|\binetpub\b|etc/?passwd|(?:^|[\s=])[a-z]:[/\\]|/\./",
        description="collapsed traversal, server files",
    ),
    _r(3004, "path-traversal", 2, WARNING, r"\.\.", description="any dot-dot"),
    # Command injection
    _r(
        4001,
        "cmdi",
        1,
        CRITICAL,
        r"(?:[;&|`\n]|\$\(|\|\|)\s*(?:/(?:usr/)?s?bin/)?(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ping|nslookup|dig|rm|chmod|echo|printf|sleep|python\d?|perl|ruby|php|powershell|cmd|ifconfig|ipconfig|telnet|tftp|net\s+user|type|dir)(?:\s|$|[;&|`'\"<>])",
        description="shell command after separator",
    ),
    _r(
        4002,
        "cmdi",
        1,
        CRITICAL,
        r"\$\([^)]*\)|`[^`]+`|\$\{[a-z_]*ifs\}|\$ifs\b",
        description="command substitution",
    ),
    _r(
        4003,
        "cmdi",
        1,
        CRITICAL,
        r"/bin/(?:ba|z|c|k)?sh\b|\bcmd(?:\.exe)?\s+/c\b",
        description="shell path",
    ),
    _r(
        4005,
        "cmdi",
        1,
        CRITICAL,
        r"<!--\s*#\s*exec\b|/usr/s?bin/\w+|\bsystem\s*\(|\bping(?:\.exe)?\s+-[a-z]\s*\d+|\bnetstat\s+-",
        description="SSI exec, binaries, ping probes",
    ),
    _r(4004, "cmdi", 2, WARNING, r"[;|`]\s*[a-z]{2,}", description="separator then word"),
    # Scanners
    _r(
        5001,
        "scanner",
        1,
        CRITICAL,
        r"sqlmap|nikto|nmap|masscan|zgrab|nuclei|acunetix|wpscan|dirbuster|gobuster|ffuf|feroxbuster|w3af|nessus|openvas|hydra|havij|zmeu|jorgee|morfeus|netsparker|appscan|arachni|skipfish|whatweb|wfuzz|commix",
        targets="ua",
        description="scanner user agent",
    ),
    # Protocol anomalies
    _r(
        6001,
        "protocol",
        1,
        CRITICAL,
        r"\x00|[\r\n]",
        targets="request",
        description="NUL or CR/LF in the request target",
    ),
    _r(
        6002,
        "protocol",
        1,
        WARNING,
        r"^(?!(?:get|head|post|put|patch|delete|options)$)",
        targets="method",
        description="unusual method",
    ),
    _r(6003, "protocol", 2, NOTICE, r"^$", targets="ua", description="missing user agent"),
)

_WS = re.compile(r"\s+")
_COMMENT = re.compile(r"/\*!?\d*|\*/")


def decode(value: str, *, rounds: int = 4) -> str:
    """%-decode (and +), HTML-unescape repeatedly until stable; then lowercase, fold whitespace."""
    value = value[:MAX_TARGET_CHARS]
    # Without %, + or & neither decoder changes anything: skip the rounds.
    if "%" in value or "+" in value or "&" in value:
        for _ in range(rounds):
            new = html.unescape(unquote_plus(value, errors="replace"))
            if new == value:
                break
            value = new
    value = value.lower()
    if "/*" in value or "*/" in value:
        value = _COMMENT.sub(" ", value)
    # str.split() and the regex \s agree on what whitespace is (both Py_UNICODE_ISSPACE).
    return " ".join(value.split())


@dataclass(slots=True)
class Verdict:
    score: int = 0
    matched: list[Rule] = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD

    @property
    def is_attack(self) -> bool:
        return self.score >= self.threshold

    @property
    def rule_ids(self) -> list[int]:
        return [r.id for r in self.matched]

    @property
    def categories(self) -> list[str]:
        return sorted({r.category for r in self.matched})


# --- Pre-filter ------------------------------------------------------------------------
#
# Each pattern is read once, from the parse tree `re` itself builds, into the literal
# strings any of its matches must contain: a list of clauses, each a set of strings of
# which a match contains at least one (a LITERAL gives itself, consecutive literals
# their concatenations, a branch the union of its branches, a repeat at least once its
# body; a class, a category or an optional part gives nothing). A target containing
# none of a rule's strings cannot match it, so the rule's regex is not run. Per kind of
# target one alternation of every rule's most selective clause ("the gate") is searched
# first: an ordinary request (no quote, no "<", no "..", no SQL word...) passes nothing
# and costs one search per kind. The analysis only drops a rule when it provably cannot
# match; a pattern it does not understand (flags, back-references) always runs.

_CAP = 64  # most strings per set; past that a set is unknown (no constraint)
_EMPTY = frozenset(("",))
_REPEATS = tuple(
    getattr(_c, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_c, name)
)
# args and user agents are folded (decode): their only whitespace is " ".
_FOLDED_KINDS = frozenset(("args", "ua"))


def _product(a, b):
    if a is None or b is None or len(a) * len(b) > _CAP:
        return None
    return frozenset(x + y for x in a for y in b)


def _charset(items, folded: bool):
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] <= 32:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is _c.CATEGORY and folded and av is _c.CATEGORY_SPACE:
            chars.add(" ")
        else:
            return None  # negation, wide range, \w, \d...: any character
    return frozenset(chars) if len(chars) <= _CAP else None


def _clauses(exact, cnf):
    out = list(cnf)
    if exact is not None and "" not in exact:
        out.append(exact)
    return out


def _cost(clause) -> float:
    """A rough chance of finding one of the strings in ordinary text: letters and digits
    are common, punctuation rare; the gate takes each rule's cheapest clause."""
    total = 0.0
    for s in clause:
        p = 1.0
        for ch in s:
            p *= 0.06 if ch.isalnum() else 0.02 if ch in " /-._=" else 0.0002
        total += p
    return total


def _best(clauses):
    return min(clauses, key=_cost) if clauses else None


def _node(op, av, folded: bool):
    """(exact, prefix, suffix, cnf) of one parsed node: the set of all strings it matches
    (None: unknown or too many), sets one of which every match starts / ends with (None:
    unknown), and clauses every match satisfies."""
    if op is _c.LITERAL:
        one = frozenset((chr(av),))
        return one, one, one, []
    if op is _c.IN:
        chars = _charset(av, folded)
        return chars, chars, chars, []
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return _EMPTY, _EMPTY, _EMPTY, []  # zero width
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & (re.IGNORECASE | re.LOCALE):
            return None, None, None, []
        return _sequence(sub, folded)
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av, folded)
    if op is _c.BRANCH:
        parts = [_sequence(branch, folded) for branch in av[1]]
        exact, prefix, suffix = _union(p[0] for p in parts), None, None
        prefix, suffix = _union(p[1] for p in parts), _union(p[2] for p in parts)
        clause: set[str] | None = set()
        for part_exact, _pre, _suf, part_cnf in parts:
            best = _best(_clauses(part_exact, part_cnf))
            clause = None if best is None or clause is None else clause | best
        return exact, prefix, suffix, ([frozenset(clause)] if clause else [])
    if op in _REPEATS:
        low, high, sub = av
        exact, prefix, suffix, cnf = _sequence(sub, folded)
        if low == 0:
            optional = exact | _EMPTY if exact is not None and high == 1 else None
            return optional, optional, optional, []
        power = exact
        for _ in range(low - 1):
            power = _product(power, exact)
        out = list(cnf)
        if power is not None and "" not in power:
            out.append(power)  # `low` consecutive matches of the body
        ends = power if power is not None else exact
        return (
            power if low == high else None,
            ends if ends is not None else prefix,
            ends if ends is not None else suffix,
            out,
        )
    return None, None, None, []  # ANY, NOT_LITERAL, back-references...: no constraint


def _union(sets):
    out: frozenset = frozenset()
    for one in sets:
        if one is None:
            return None
        out |= one
    return out if len(out) <= _CAP else None


def _sequence(items, folded: bool):
    cnf: list = []
    run = _EMPTY  # concatenations of the current stretch of known strings
    whole = lead = _EMPTY
    prefix = None
    for op, av in items:
        exact, node_prefix, node_suffix, node_cnf = _node(op, av, folded)
        cnf.extend(node_cnf)
        whole = _product(whole, exact)
        if prefix is None:  # still in the leading stretch of known items
            if exact is None:
                prefix = _product(lead, node_prefix) or lead
            else:
                longer = _product(lead, exact)
                if longer is None:
                    prefix = lead
                else:
                    lead = longer
        if exact is None:
            closed = _product(run, node_prefix) or run
            if "" not in closed:
                cnf.append(closed)
            run = node_suffix if node_suffix is not None else _EMPTY
            continue
        longer = _product(run, exact)
        if longer is None:
            if "" not in run:
                cnf.append(run)
            longer = exact
        run = longer
    if "" not in run:
        cnf.append(run)
    if whole is not None:
        return whole, whole, whole, cnf
    return None, prefix if prefix is not None else lead, run, cnf


def required_literals(pattern: re.Pattern, *, folded: bool = False) -> list[frozenset[str]]:
    """Clauses (sets of strings) every match of ``pattern`` satisfies: a match contains at
    least one string of each clause. An empty list: no constraint known. ``folded``: the
    searched text has no whitespace but " " (so \\s can only be a space)."""
    if pattern.flags & (re.IGNORECASE | re.LOCALE | re.VERBOSE):
        return []
    try:
        exact, _prefix, _suffix, cnf = _sequence(
            _parser.parse(pattern.pattern, pattern.flags), folded
        )
    except Exception:  # an unreadable pattern simply always runs
        return []
    return sorted(set(_clauses(exact, cnf)), key=_cost)


def _alternation(strings) -> re.Pattern:
    """One regex matching where any of the strings occurs, written as a trie
    (``a(?:lert|nd )|c(?:har|md )…``): `re` tries a flat alternation's branches one by
    one at every position, a trie only the branches of the character found there (about
    three times faster on ordinary requests)."""
    trie: dict = {}
    for s in strings:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(build(trie))


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rules of one kind of target: those always run and those behind the gate."""

    always: tuple[Rule, ...]
    gated: tuple[tuple[Rule, re.Pattern], ...]  # (rule, its most selective clause)
    gate: re.Pattern | None
    joiner: str | None  # a character no gate string holds: targets searched at once

    def match(self, targets: list[str]) -> list[Rule]:
        found = [r for r in self.always if any(r.pattern.search(t) for t in targets)]
        if self.gate is None or not targets:
            return found
        search = self.gate.search
        if len(targets) == 1 or self.joiner is None or search(self.joiner.join(targets)):
            hits = [t for t in targets if search(t)]
        else:
            return found
        for rule, literals in self.gated:
            for t in hits:
                if literals.search(t) and rule.pattern.search(t):
                    found.append(rule)
                    break
        return found


def _plan(rules: list[Rule], kind: str) -> _Plan:
    always, gated, strings = [], [], set()
    for rule in rules:
        clauses = required_literals(rule.pattern, folded=kind in _FOLDED_KINDS)
        if not clauses:
            always.append(rule)
            continue
        best = clauses[0]
        gated.append((rule, _alternation(best)))
        strings |= best
    joiner = next((j for j in ("\x00", "\x01", "\x1f") if not any(j in s for s in strings)), None)
    return _Plan(tuple(always), tuple(gated), _alternation(strings) if strings else None, joiner)


@lru_cache(maxsize=8)
def _plans(paranoia: int) -> dict[str, _Plan]:
    rules = [r for r in RULES if r.paranoia <= paranoia]
    return {kind: _plan([r for r in rules if r.targets == kind], kind) for kind in _KINDS}


_KINDS = ("args", "ua", "request", "method")
CACHE_SIZE = 4096  # distinct URLs and user agents whose rules are remembered
CACHE_MAX_CHARS = 512  # longer ones are inspected each time (they would crowd the cache)


class Inspector:
    """Applies the rules up to a paranoia level and sums their scores.

    ``prefilter=True`` (the default) runs only the rules a target can match (see the
    pre-filter above) and remembers the rules matched by the last ``cache_size``
    distinct URLs and user agents; ``prefilter=False`` runs every rule on every target
    (the reference the pre-filter is tested against).
    """

    def __init__(
        self,
        *,
        paranoia: int = 1,
        threshold: int = DEFAULT_THRESHOLD,
        prefilter: bool = True,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.paranoia = paranoia
        self.threshold = threshold
        self.rules = [r for r in RULES if r.paranoia <= paranoia]
        self.prefilter = prefilter
        self._order = {r.id: i for i, r in enumerate(self.rules)}
        if prefilter:
            self._plans = _plans(paranoia)
            self._url_rules = lru_cache(maxsize=cache_size)(self._match_url)
            self._ua_rules = lru_cache(maxsize=cache_size)(self._match_ua)
            self._method_rules = lru_cache(maxsize=64)(self._match_method)

    def targets(self, *, url: str, user_agent: str, method: str) -> dict[str, list[str]]:
        return {
            "args": self._args(url),
            "ua": [" ".join(user_agent.lower().split())],
            "request": [unquote_plus(url[:MAX_TARGET_CHARS], errors="replace")],
            "method": [method.lower()] if method else [],
        }

    @staticmethod
    def _args(url: str) -> list[str]:
        """The path, then each query argument's name and value (the first MAX_ARGS):
        what ``parse_qsl(query, keep_blank_values=True)`` gives, decoded; written out
        so a part without % or + is not passed through unquote, and parsing stops at
        MAX_ARGS arguments."""
        path, _, query = url.partition("?")
        args = [decode(path)]
        if query:
            count = 0
            for part in query.split("&"):
                if not part:
                    continue
                name, _, value = part.partition("=")
                if "%" in name or "+" in name:
                    name = unquote(name.replace("+", " "), errors="replace")
                args.append(decode(name))
                if value:
                    if "%" in value or "+" in value:
                        value = unquote(value.replace("+", " "), errors="replace")
                    args.append(decode(value))
                count += 1
                if count == MAX_ARGS:
                    break
        return [a for a in args if a]

    def _match_url(self, url: str) -> tuple[Rule, ...]:
        raw = unquote_plus(url[:MAX_TARGET_CHARS], errors="replace")
        return (*self._plans["args"].match(self._args(url)), *self._plans["request"].match([raw]))

    def _match_method(self, method: str) -> tuple[Rule, ...]:
        return tuple(self._plans["method"].match([method.lower()]))

    def _match_ua(self, user_agent: str) -> tuple[Rule, ...]:
        return tuple(self._plans["ua"].match([" ".join(user_agent.lower().split())]))

    def inspect(
        self, *, url: str = "", user_agent: str = "", method: str = "GET", values=()
    ) -> Verdict:
        if not self.prefilter:
            return self._inspect_all(url=url, user_agent=user_agent, method=method, values=values)
        matched = list(
            self._url_rules(url) if len(url) <= CACHE_MAX_CHARS else self._match_url(url)
        )
        matched += (
            self._ua_rules(user_agent)
            if len(user_agent) <= CACHE_MAX_CHARS
            else self._match_ua(user_agent)
        )
        if method:
            matched += (
                self._method_rules(method) if len(method) <= 16 else self._match_method(method)
            )
        if values:
            extra = [decode(v) for v in list(values)[:MAX_ARGS] if v]
            matched += [r for r in self._plans["args"].match(extra) if r not in matched]
        verdict = Verdict(threshold=self.threshold)
        if matched:
            matched.sort(key=lambda r: self._order[r.id])
            verdict.matched = matched
            verdict.score = sum(r.score for r in matched)
        return verdict

    def _inspect_all(self, *, url: str, user_agent: str, method: str, values) -> Verdict:
        targets = self.targets(url=url, user_agent=user_agent, method=method)
        targets["args"].extend(decode(v) for v in list(values)[:MAX_ARGS] if v)
        verdict = Verdict(threshold=self.threshold)
        for rule in self.rules:
            if any(rule.pattern.search(t) for t in targets.get(rule.targets, ())):
                verdict.matched.append(rule)
                verdict.score += rule.score
        return verdict

    def inspect_event(self, event: Event) -> Verdict:
        return self.inspect(url=event.url, user_agent=event.user_agent, method=event.method)
