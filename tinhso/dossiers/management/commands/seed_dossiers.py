"""``tinhso seed_dossiers --scale N``: N DEMO dossiers in bulk, for benchmarks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _(
        "Sinh nhanh N hồ sơ demo (chèn theo lô, bỏ qua nghiệp vụ, một sự kiện nhật ký) "
        "để đo hiệu năng các trang hồ sơ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", required=True, help=_("Số hồ sơ cần tạo."))
        parser.add_argument("--batch", default="5000", help=_("Số hồ sơ mỗi lô (mặc định 5000)."))
        parser.add_argument(
            "--year",
            default=None,
            help=_("Năm nộp của mọi hồ sơ (mặc định: một năm ngày đã qua riêng cho mỗi lần chạy)."),
        )

    def handle(self, *args, **options):
        from tinhso.core.demo.seeder import refuse_in_production
        from tinhso.dossiers.bulk import dossiers_bulk_seed

        refuse_in_production()
        report = dossiers_bulk_seed(
            actor=None, scale=options["scale"], batch=options["batch"], year=options["year"]
        )
        self.stdout.write(
            _("Đã tạo %(n)d hồ sơ demo trong %(s).1f giây (%(r).0f hồ sơ/giây).")
            % {"n": report.created, "s": report.seconds, "r": report.rows_per_second}
        )
