from .alerts import Alert
from .disbursements import Disbursement
from .plans import CapitalPlan, PlanLine
from .progress import (
    JAN_NEXT,
    BidPackage,
    Contract,
    ContractModification,
    Obstacle,
    ProgressSnapshot,
    TargetCurve,
)
from .projects import (
    Project,
    ProjectDecision,
    ProjectOwnership,
    TotalInvestmentVersion,
    project_scope_q,
)
from .summaries import DisbursementMonth

__all__ = [
    "JAN_NEXT",
    "Alert",
    "BidPackage",
    "CapitalPlan",
    "Contract",
    "ContractModification",
    "Disbursement",
    "DisbursementMonth",
    "Obstacle",
    "PlanLine",
    "ProgressSnapshot",
    "Project",
    "ProjectDecision",
    "ProjectOwnership",
    "TargetCurve",
    "TotalInvestmentVersion",
    "project_scope_q",
]
