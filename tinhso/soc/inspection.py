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
from urllib.parse import parse_qsl, unquote_plus

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
    for _ in range(rounds):
        new = html.unescape(unquote_plus(value, errors="replace"))
        if new == value:
            break
        value = new
    value = _COMMENT.sub(" ", value.lower())
    return _WS.sub(" ", value).strip()


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


class Inspector:
    """Applies the rules up to a paranoia level and sums their scores."""

    def __init__(self, *, paranoia: int = 1, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.paranoia = paranoia
        self.threshold = threshold
        self.rules = [r for r in RULES if r.paranoia <= paranoia]

    def targets(self, *, url: str, user_agent: str, method: str) -> dict[str, list[str]]:
        path, _, query = url.partition("?")
        args = [decode(path)]
        for name, value in parse_qsl(query, keep_blank_values=True)[:MAX_ARGS]:
            args.append(decode(name))
            if value:
                args.append(decode(value))
        raw = unquote_plus(url[:MAX_TARGET_CHARS], errors="replace")
        return {
            "args": [a for a in args if a],
            "ua": [_WS.sub(" ", user_agent.lower()).strip()],
            "request": [raw],
            "method": [method.lower()] if method else [],
        }

    def inspect(
        self, *, url: str = "", user_agent: str = "", method: str = "GET", values=()
    ) -> Verdict:
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
