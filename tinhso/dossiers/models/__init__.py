"""Models of one-stop dossiers."""
