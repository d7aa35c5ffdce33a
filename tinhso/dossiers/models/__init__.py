"""Models of one-stop dossiers."""

from .dossiers import Dossier, DossierEvent, DossierFile, SupplementRequest
from .results import DossierResult

__all__ = ["Dossier", "DossierEvent", "DossierFile", "DossierResult", "SupplementRequest"]
