"""``tinhso soc_rules [--check DIR ...]``: list the Sigma rules loaded, or validate files.

Without ``--check`` it lists the rules the engine loads (shipped plus TINHSO_SOC_RULE_DIRS)
and the files skipped; with ``--check`` it validates the given folders or files alone.
The exit code is 1 when any file is invalid, so it fits a pre-commit hook or CI.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.soc.sigma.loader import configured_dirs, load_dirs


class Command(BaseCommand):
    help = "List the Sigma rules loaded, or validate rule files (--check DIR): exit code 1 when any is invalid."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            nargs="+",
            metavar="DIR",
            help="folders or files of Sigma rules to validate (instead of the configured ones)",
        )

    def handle(self, *args, **opts):
        dirs = [Path(d) for d in opts["check"]] if opts["check"] else configured_dirs()
        ruleset = load_dirs(dirs)
        for rule in ruleset.rules:
            self.stdout.write(
                f"{rule.name:<32} {rule.severity:<8} {rule.decision or 'alert':<10} "
                f"{rule.logsource or '-':<24} {rule.title}"
            )
        for corr in ruleset.correlations:
            rules = ", ".join(corr.rules)
            self.stdout.write(
                f"{corr.name:<32} {corr.severity:<8} {corr.decision or 'alert':<10} "
                f"{corr.type + ' ' + str(corr.timespan) + 's':<24} {corr.title} [{rules}]"
            )
        self.stdout.write(
            f"{len(ruleset.rules)} rules, {len(ruleset.correlations)} correlations "
            f"from {ruleset.files} files; {len({p for p, _ in ruleset.errors})} invalid"
        )
        if ruleset.errors:
            for path, message in ruleset.errors:
                self.stderr.write(f"{path}: {message}")
            raise CommandError(
                f"{len({p for p, _ in ruleset.errors})} invalid rule file(s)", returncode=1
            )
