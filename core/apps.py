from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Kengele"

    def ready(self) -> None:
        # kengele_fold() on every SQLite connection (PostgreSQL has it from a migration).
        from . import search  # noqa: F401
