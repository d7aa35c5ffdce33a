"""Choices of the public-investment app (Law 58/2024/QH15 on public investment)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectTier(models.TextChoices):
    """Who manages the project: the province, a commune, or a former district (before 1 July 2025)."""

    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    DISTRICT_LEGACY = "district_legacy", _("Cấp huyện (trước 01/7/2025)")


class ProjectGroup(models.TextChoices):
    """Law 58/2024 art. 7–10: national important, group A, B, C."""

    NATIONAL = "national", _("Quan trọng quốc gia")
    A = "A", _("Nhóm A")
    B = "B", _("Nhóm B")
    C = "C", _("Nhóm C")


class Sector(models.TextChoices):
    """The sectors of Law 58/2024 art. 8–10, in the four bands that share a threshold.

    The band of each sector is in ``tinhso.investment.rules.SECTOR_BAND``.
    """

    # Band 1 (art. 8 cl. 2): group A from 4,600 bn, group B from 240 bn.
    TRANSPORT_MAJOR = (
        "transport_major",
        _("Giao thông (cầu, cảng biển, cảng sông, sân bay, đường sắt, quốc lộ)"),
    )
    POWER = "power", _("Công nghiệp điện")
    OIL_GAS = "oil_gas", _("Khai thác dầu khí")
    CHEMICALS = "chemicals", _("Hóa chất, phân bón, xi măng")
    MACHINERY = "machinery", _("Chế tạo máy, luyện kim")
    MINING = "mining", _("Khai thác, chế biến khoáng sản")
    HOUSING = "housing", _("Xây dựng khu nhà ở")
    # Band 2 (art. 8 cl. 3): group A from 3,000 bn, group B from 160 bn.
    TRANSPORT_OTHER = "transport_other", _("Giao thông (trừ các công trình nêu trên)")
    IRRIGATION = "irrigation", _("Thủy lợi")
    WATER_INFRASTRUCTURE = (
        "water_infrastructure",
        _("Cấp thoát nước, xử lý rác thải và hạ tầng kỹ thuật khác"),
    )
    ELECTRICAL = "electrical", _("Kỹ thuật điện")
    ELECTRONICS = "electronics", _("Sản xuất thiết bị thông tin, điện tử")
    PHARMACEUTICAL = "pharmaceutical", _("Hóa dược")
    MATERIALS = "materials", _("Sản xuất vật liệu")
    MECHANICAL = "mechanical", _("Công trình cơ khí")
    POST_TELECOM = "post_telecom", _("Bưu chính, viễn thông")
    # Band 3 (art. 8 cl. 4): group A from 2,000 bn, group B from 120 bn.
    AGRICULTURE = "agriculture", _("Nông nghiệp, lâm nghiệp, nuôi trồng thủy sản")
    NATURE_RESERVES = "nature_reserves", _("Vườn quốc gia, khu bảo tồn thiên nhiên")
    URBAN_INFRASTRUCTURE = "urban_infrastructure", _("Hạ tầng kỹ thuật khu đô thị mới")
    INDUSTRY_OTHER = "industry_other", _("Công nghiệp (trừ các lĩnh vực nêu trên)")
    # Band 4 (art. 8 cl. 5): group A from 1,600 bn, group B from 90 bn.
    HEALTH_CULTURE_EDUCATION = "health_culture_education", _("Y tế, văn hóa, giáo dục")
    SCIENCE_IT_BROADCASTING = (
        "science_it_broadcasting",
        _("Nghiên cứu khoa học, công nghệ thông tin, phát thanh, truyền hình"),
    )
    WAREHOUSING = "warehousing", _("Kho tàng")
    TOURISM_SPORT = "tourism_sport", _("Du lịch, thể dục thể thao")
    CIVIL_CONSTRUCTION = "civil_construction", _("Xây dựng dân dụng (trừ khu nhà ở)")
    DEFENCE_SECURITY = "defence_security", _("Quốc phòng, an ninh")


class ProjectPhase(models.TextChoices):
    PREPARATION = "preparation", _("Chuẩn bị đầu tư")
    IMPLEMENTATION = "implementation", _("Thực hiện dự án")
    COMPLETED = "completed", _("Hoàn thành, bàn giao")
    SETTLED = "settled", _("Đã quyết toán")
    SUSPENDED = "suspended", _("Tạm dừng")


class DecisionKind(models.TextChoices):
    POLICY = "policy", _("Chủ trương đầu tư")
    INVESTMENT = "investment", _("Quyết định đầu tư")
    ADJUSTMENT = "adjustment", _("Điều chỉnh dự án")
    EXTENSION = "extension", _("Gia hạn, kéo dài")


class PlanKind(models.TextChoices):
    MEDIUM_TERM = "medium_term", _("Kế hoạch trung hạn")
    ANNUAL = "annual", _("Kế hoạch hằng năm")


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "central_budget", _("Ngân sách trung ương")
    PROVINCIAL_BUDGET = "provincial_budget", _("Ngân sách địa phương cấp tỉnh")
    COMMUNE_BUDGET = "commune_budget", _("Ngân sách địa phương cấp xã")
    ODA = "oda", _("Vốn ODA, vay ưu đãi nước ngoài")
    TARGETED_TRANSFER = "targeted_transfer", _("Bổ sung có mục tiêu")
    OTHER = "other", _("Nguồn khác")


class AssignedBy(models.TextChoices):
    PRIME_MINISTER = "prime_minister", _("Thủ tướng Chính phủ giao")
    PROVINCE = "province", _("Tỉnh giao")
    COMMUNE = "commune", _("Xã giao")


class PlanLineKind(models.TextChoices):
    INITIAL = "initial", _("Giao đầu năm")
    SUPPLEMENT = "supplement", _("Bổ sung")
    ADJUSTMENT = "adjustment", _("Điều chỉnh")
    CARRIED_OVER = "carried_over", _("Kéo dài từ năm trước")


class DisbursementKind(models.TextChoices):
    ADVANCE = "advance", _("Tạm ứng")
    PAYMENT = "payment", _("Thanh toán khối lượng hoàn thành")
    RECOVERY = "recovery", _("Thu hồi, giảm trừ")


class DisbursementStatus(models.TextChoices):
    REPORTED = "reported", _("Chủ đầu tư báo cáo")
    TREASURY_CONFIRMED = "treasury_confirmed", _("Kho bạc xác nhận")
    REJECTED = "rejected", _("Bị từ chối")


class CurveScope(models.TextChoices):
    PROVINCE = "province", _("Toàn tỉnh")
    PROJECT = "project", _("Dự án")


class BidMethod(models.TextChoices):
    OPEN = "open", _("Đấu thầu rộng rãi")
    LIMITED = "limited", _("Đấu thầu hạn chế")
    DIRECT = "direct", _("Chỉ định thầu")
    SHOPPING = "shopping", _("Chào hàng cạnh tranh")
    SELF_PERFORMED = "self_performed", _("Tự thực hiện")
    COMMUNITY = "community", _("Cộng đồng thực hiện")
    OTHER = "other", _("Hình thức khác")


class ObstacleCause(models.TextChoices):
    LAND_CLEARANCE = "land_clearance", _("Giải phóng mặt bằng")
    PROCEDURES = "procedures", _("Thủ tục đầu tư, xây dựng")
    CAPITAL = "capital", _("Vốn, thanh toán")
    CONTRACTOR = "contractor", _("Năng lực nhà thầu")
    MATERIALS = "materials", _("Vật liệu xây dựng")
    WEATHER = "weather", _("Thời tiết, thiên tai")
    OTHER = "other", _("Nguyên nhân khác")


class AlertKind(models.TextChoices):
    BELOW_MONTH_TARGET = "below_month_target", _("Giải ngân dưới mục tiêu của tháng")
    BELOW_THRESHOLD_BY_DATE = (
        "below_threshold_by_date",
        _("Giải ngân dưới ngưỡng tại mốc thời gian"),
    )
    NO_UPDATE = "no_update", _("Không cập nhật trong nhiều ngày")
    PHYSICAL_FINANCIAL_GAP = "physical_financial_gap", _("Tiến độ thực hiện và giải ngân lệch nhau")
    CONTRACT_ENDING_LOW_PROGRESS = (
        "contract_ending_low_progress",
        _("Hợp đồng sắp hết hạn, khối lượng còn thấp"),
    )


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Lưu ý")
    WARNING = "warning", _("Cảnh báo")
    CRITICAL = "critical", _("Nghiêm trọng")
