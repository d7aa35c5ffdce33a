from .audit import AuditChainHead, AuditEvent
from .calendar import CalendarDay
from .organisations import Organisation
from .people import Citizen
from .units import AdministrativeUnit, UnitSuccession
from .users import ApiToken, User

__all__ = [
    "AdministrativeUnit",
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "CalendarDay",
    "Citizen",
    "Organisation",
    "UnitSuccession",
    "User",
]
