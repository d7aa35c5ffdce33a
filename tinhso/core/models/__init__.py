from .audit import AuditChainHead, AuditEvent
from .calendar import CalendarDay
from .files import StoredFile
from .notifications import Notification
from .organisations import Organisation
from .people import Citizen
from .sequences import Sequence
from .units import AdministrativeUnit, UnitSuccession
from .users import ApiToken, User

__all__ = [
    "AdministrativeUnit",
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "CalendarDay",
    "Citizen",
    "Notification",
    "Organisation",
    "Sequence",
    "StoredFile",
    "UnitSuccession",
    "User",
]
