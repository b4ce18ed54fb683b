"""Static files in production: WhiteNoise's hashed, compressed storage, less source maps."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    for extension, rules in patterns:
        kept = tuple(rule for rule in rules if "sourceMappingURL" not in str(rule))
        yield extension, kept


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Vendored scripts (Leaflet, Swagger UI) name source maps we do not ship: their comment
    is left as it is instead of failing collectstatic (a browser only asks for a map when its
    developer tools are open)."""

    patterns = tuple(_without_source_maps(ManifestStaticFilesStorage.patterns))
