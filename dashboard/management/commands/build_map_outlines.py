"""Write the map's approximate outlines (static/geo/outlines.geojson) from the gazetteer."""

from django.core.management.base import BaseCommand

from dashboard.outlines import outlines_json, outlines_path


class Command(BaseCommand):
    help = "Rebuild static/geo/outlines.geojson from networks/data/places.csv."

    def handle(self, *args, **options) -> None:
        path = outlines_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outlines_json(), encoding="utf-8")
        self.stdout.write(f"{path} ({path.stat().st_size} bytes)")
