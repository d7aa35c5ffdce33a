"""Sigma rules (and correlations) loaded from files, evaluated in process (docs/soc.md,
"Sigma rules and baselines"). pySigma parses and validates; ``compiler`` turns each rule
into a predicate over our ``Event``; ``detector`` runs them and keeps correlation state."""
