"""Models of one-stop dossiers."""

from .dossiers import Dossier, DossierEvent, DossierFile, SupplementRequest

__all__ = ["Dossier", "DossierEvent", "DossierFile", "SupplementRequest"]
