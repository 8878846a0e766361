"""The checking stage: the generated schema for structure and status, rules for the rest."""
