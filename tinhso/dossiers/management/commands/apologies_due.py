"""``tinhso apologies_due``: the dossiers that need an apology letter, for the desk to issue."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.dossiers.apologies import DUE_WITHIN_HOURS, apologies_due


class Command(BaseCommand):
    help = "Liệt kê hồ sơ đã hoặc sắp quá hạn mà chưa có phiếu xin lỗi."

    def add_arguments(self, parser):
        parser.add_argument(
            "--within-hours",
            type=float,
            default=DUE_WITHIN_HOURS,
            help="số giờ làm việc còn lại để coi là sắp quá hạn",
        )
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, within_hours: float, limit: int, **options):
        from django.core.management.base import CommandError

        if within_hours < 0 or limit < 1:
            raise CommandError(_("Tham số không hợp lệ."))
        dossiers = apologies_due(within_hours=within_hours)
        now = timezone.now()
        total = dossiers.count()
        for dossier in dossiers[:limit]:
            state = _("quá hạn") if dossier.due_at <= now else _("sắp quá hạn")
            due = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
            self.stdout.write(
                f"{dossier.code}\t{state}\t{due}\t{dossier.competent_organisation.name}\t"
                f"{dossier.procedure.name}"
            )
        self.stdout.write(_("%(n)d hồ sơ cần phiếu xin lỗi.") % {"n": total})
