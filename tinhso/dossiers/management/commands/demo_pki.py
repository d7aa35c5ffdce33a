"""``tinhso demo_pki``: the demo certificate authority and one certificate per agency.

Keys and certificates are written under ``TINHSO_PKI_DIR`` (default
``var/pki``, never committed); what exists is kept (run it as often as you
like); ``tinhso demo`` makes the same for the agencies in its demo dossiers.
Refused in production, where agencies use certificates from the national
digital signature authority (docs/e-results.md).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _("Tạo tổ chức chứng thực thử nghiệm và chứng thư số cho từng cơ quan (ký kết quả).")

    def handle(self, *args, **options):
        from tinhso.core.demo.seeder import refuse_in_production
        from tinhso.core.models import Organisation
        from tinhso.core.signing import pki_dir
        from tinhso.dossiers.demo import demo_certificates

        refuse_in_production()
        created, count = demo_certificates(
            Organisation.objects.exclude(identifier_code="").order_by("pk")
        )
        self.stdout.write(
            _("Thư mục khoá: %(dir)s. Tổ chức chứng thực: %(root)s. Chứng thư cơ quan: %(n)d.")
            % {
                "dir": pki_dir(),
                "root": _("mới tạo") if created else _("đã có"),
                "n": count,
            }
        )
