"""``tinhso soc_replay <file> --labels <file>``: precision and recall per rule."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.soc.replay import replay_log, replay_payloads


class Command(BaseCommand):
    help = "Replay a labelled set (payload CSV or log file with a labels CSV) and print precision and recall per rule."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--labels", help="labels CSV (line,label,attack_type); a payload CSV is its own labels"
        )
        parser.add_argument("--paranoia", type=int, default=1, choices=[1, 2, 3, 4])
        parser.add_argument("--threshold", type=int, default=5)

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"not a file: {path}")
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader([fh.readline()]), [])
        labels = Path(opts["labels"]) if opts["labels"] else None
        if "payload" in header:
            report = replay_payloads(path, paranoia=opts["paranoia"], threshold=opts["threshold"])
        else:
            if labels is None or not labels.is_file():
                raise CommandError("a log file needs --labels <csv with line,label,attack_type>")
            report = replay_log(
                path, labels, paranoia=opts["paranoia"], threshold=opts["threshold"]
            )
        self.stdout.write(f"paranoia {opts['paranoia']}  threshold {opts['threshold']}")
        for line in report.lines():
            self.stdout.write(line)
