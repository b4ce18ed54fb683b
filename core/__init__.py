"""Kengele's leaf: what every app shares and no app owns (the taxonomy, roles and what each
may do, encryption of personal data, the request being served). Imports no app."""
