"""Models of one-stop dossiers."""

from .apologies import ApologyLetter
from .dossiers import Dossier, DossierEvent, DossierFile, SupplementRequest
from .results import DossierResult

__all__ = [
    "ApologyLetter",
    "Dossier",
    "DossierEvent",
    "DossierFile",
    "DossierResult",
    "SupplementRequest",
]
