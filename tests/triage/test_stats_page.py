"""The statistics page: who sees it, what it shows, its CSV downloads, bad filters, French."""

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest

from dashboard.stats.page import StatsPage
from dashboard.stats.tables import DURATION, PERCENT, duration_text
from tests.factories import UserFactory
from tests.triage.stats_support import NAMES, SINCE, UNTIL, build_world

pytestmark = pytest.mark.django_db

URL = "/dashboard/stats/"
PERIOD = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def as_viewer(client):
    client.force_login(UserFactory(username="vic", role="viewer"))
    return client


def english(client, url: str, params: dict | None = None):
    return client.get(url, params or {}, HTTP_ACCEPT_LANGUAGE="en")


class Tables(HTMLParser):
    """Every <table data-table=…> of a page as rows of cell texts (header rows left out), and
    every text node of <main>."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: list[str] = []
        self._table = self._row = self._cell = None
        self._in_main = self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._in_main = True
        elif tag == "table" and "data-table" in attrs:
            self._table = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None and not self._in_head:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        elif tag == "table":
            self._table = self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_main and data.strip():
            self.texts.append(data.strip())


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- Who sees it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "supervisor", "analyst", "cla", "viewer"])
def test_every_dashboard_role_sees_the_statistics(client, role):
    client.force_login(UserFactory(username="someone", role=role))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["tables"]


def test_it_asks_visitors_to_log_in_and_refuses_users_without_a_role(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv", "table": "inclusion"}).status_code == 403


def test_a_viewer_sees_no_name_or_number_on_the_page_or_in_any_csv(as_viewer, world):
    pages = [english(as_viewer, URL, PERIOD)]
    pages += [
        english(as_viewer, URL, {**PERIOD, "format": "csv", "table": key})
        for key in StatsPage.TABLES
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        for key, person in world.people.items():
            assert NAMES[key] not in text
            assert person.phone not in text and person.phone[-9:] not in text
        assert "Kahindo" not in text and "+243" not in text


# --- What it shows -------------------------------------------------------------------------------


def test_the_page_shows_every_statistic_as_a_chart_and_a_table(as_viewer, world):
    response = english(as_viewer, URL, PERIOD)
    html = response.content.decode()
    parsed = Tables(html)
    assert list(parsed.tables) == list(StatsPage.TABLES)
    assert html.count('<svg class="chart-svg"') >= len(StatsPage.TABLES)
    assert "style=" not in html.split("<main", 1)[1]  # a content security policy is coming
    assert "<script>" not in html

    weekly = parsed.tables["weekly-categories"]
    assert [row[1] for row in weekly] == ["3", "0", "3", "2"]  # the empty week is there
    priority = {row[0]: row[1:] for row in parsed.tables["reaction-priority"]}
    assert priority["P1 · Threat to life now"][:4] == ["3", "20 min", "36 min", "0"]
    assert priority["All alerts"][:4] == ["8", "30 min", "46 min", "3"]
    assert priority["All alerts"][-3:] == ["4 h 00", "20 h 00", "5"]  # to close
    silent = {row[0]: row[1:] for row in parsed.tables["silent-networks"]}
    assert silent["CAN Empty"] == ["Active", "0", "0", "—", "No members"]
    assert silent["CAN Quiet"] == ["Active", "1", "1", "100.0 %", "Silent"]
    assert silent["CAN Kasugho"] == ["Active", "3", "1", "33.3 %", ""]
    assert "CAN Closed" not in silent
    inclusion = {row[0]: row[1:] for row in parsed.tables["inclusion"]}
    assert inclusion["All focal points"] == [
        "8", "4", "50.0 %", "4", "50.0 %", "4", "2", "50.0 %", "2", "50.0 %",
    ]  # fmt: skip
    mechanisms = {row[0]: row[1:] for row in parsed.tables["mechanisms"]}
    assert mechanisms["CAN"] == ["2", "0", "2", "1", "5"]
    assert mechanisms["All mechanisms"] == ["3", "1", "2", "2", "8"]


def test_the_filters_narrow_the_page_and_are_kept_in_the_form(as_viewer, world):
    params = {**PERIOD, "territory": world.lubero.pk}
    response = english(as_viewer, URL, params)
    parsed = Tables(response.content.decode())
    assert [row[1] for row in parsed.tables["weekly-territories"]] == ["1", "0", "1", "0"]
    assert [row[0] for row in parsed.tables["silent-networks"]] == [
        "CAN Kasugho", "In no network", "All focal points",
    ]  # fmt: skip
    html = response.content.decode()
    assert f'<option value="{world.lubero.pk}" selected>Lubero</option>' in html
    assert 'value="2026-03-02"' in html and 'value="2026-03-29"' in html
    assert f"territory={world.lubero.pk}" in html  # the CSV links keep the filters

    network = world.networks["kasugho"].pk
    response = english(as_viewer, URL, {**PERIOD, "network": network})
    parsed = Tables(response.content.decode())
    assert [row[0] for row in parsed.tables["inclusion"]] == ["CAN Kasugho", "All focal points"]


def test_without_dates_it_shows_the_last_90_days(as_viewer):
    from django.utils import timezone

    scope = english(as_viewer, URL).context["scope"]
    assert scope.until == timezone.localdate()
    assert (scope.until - scope.since).days == 89


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", StatsPage.TABLES)
def test_each_csv_holds_the_numbers_of_its_table(as_viewer, world, key):
    page = Tables(english(as_viewer, URL, PERIOD).content.decode()).tables[key]
    response = english(as_viewer, URL, {**PERIOD, "format": "csv", "table": key})
    assert response.status_code == 200
    assert f"kengele-{key}-20260302-20260329.csv" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    columns = StatsPage(world.scope()).table(key).columns
    assert len(header) == len(columns) and len(rows) == len(page)
    for csv_row, page_row in zip(rows, page, strict=True):
        for column, value, shown in zip(columns, csv_row, page_row, strict=True):
            if value == "":
                assert shown == ("" if column.kind == "label" else "—")
            elif column.kind == DURATION:
                assert duration_text(float(value) * 60) == shown
            elif column.kind == PERCENT:
                assert f"{value} %" == shown
            elif column.kind == "week":
                year, month, day = value.split("-")
                assert shown == f"{month}/{day}/{year}"
            elif column.kind == "month":
                assert shown == dt.datetime.strptime(value, "%Y-%m").strftime("%B %Y")
            else:
                assert value == shown


def test_the_csv_gives_minutes_and_shares_as_plain_numbers(as_viewer, world):
    response = english(as_viewer, URL, {**PERIOD, "format": "csv", "table": "reaction-priority"})
    header, *rows = read_csv(response)
    assert header[:5] == [
        "Priority",
        "Alerts",
        "Acknowledgement: median (minutes)",
        "Acknowledgement: 90th percentile (minutes)",
        "Acknowledgement: Never acknowledged",
    ]
    assert rows[0][:5] == ["P1 · Threat to life now", "3", "20.0", "36.0", "0"]
    assert rows[2][:5] == ["P3 · Concern", "1", "", "", "1"]  # never acknowledged: no time
    response = english(as_viewer, URL, {**PERIOD, "format": "csv", "table": "weekly-categories"})
    header, *rows = read_csv(response)
    assert header[:3] == ["Week of", "Alerts", "Attack"]
    assert [row[:3] for row in rows] == [
        ["2026-03-02", "3", "2"], ["2026-03-09", "0", "0"],
        ["2026-03-16", "3", "0"], ["2026-03-23", "2", "1"],
    ]  # fmt: skip


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-03-10", "until": "2026-03-01"},  # the end before the start
        {"since": "2020-01-01", "until": "2026-01-01"},  # longer than three years
        {"since": "0001-01-01", "until": "0001-01-02"},  # before any alert could exist
        {"since": "9999-12-31"},
        {"until": "31/02/2026"},
        {"since": "yesterday"},
        {"territory": "abc"},
        {"territory": "99999999999999999999999"},  # beyond what the database stores
        {"territory": "424242"},
        {"network": "-1"},
        {"network": "1\x00"},
    ],
)
def test_bad_filters_get_a_400_with_the_reason(as_viewer, world, params):
    response = english(as_viewer, URL, params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'class="errors"' in response.content.decode()
    assert not response.context.get("tables")
    csv_response = english(as_viewer, URL, {**params, "format": "csv", "table": "inclusion"})
    assert csv_response.status_code == 400 and csv_response.content


def test_a_network_id_is_checked_against_networks_not_places(as_viewer, world):
    response = english(as_viewer, URL, {"territory": world.networks["mbau"].pk + 1000})
    assert response.status_code == 400
    assert english(as_viewer, URL, {"territory": world.mbau.pk}).status_code == 400  # a village


@pytest.mark.parametrize(
    "params", [{"format": "xml"}, {"format": "csv"}, {"format": "csv", "table": "people"}]
)
def test_an_unknown_format_or_table_is_a_400(as_viewer, params):
    response = english(as_viewer, URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content


def test_only_get_is_allowed(as_viewer):
    assert as_viewer.post(URL).status_code == 405


# --- Languages -----------------------------------------------------------------------------------


@pytest.fixture
def marked_french(monkeypatch):
    """French in which every translated string comes out between ⟦ ⟧: a string shown without
    them never went through translation."""
    from django.utils import translation
    from django.utils.translation import trans_real

    class Marked(trans_real.DjangoTranslation):
        def gettext(self, message):
            return f"⟦{super().gettext(message)}⟧"

        def ngettext(self, singular, plural, number):
            return f"⟦{super().ngettext(singular, plural, number)}⟧"

    monkeypatch.setitem(trans_real._translations, "fr", Marked("fr"))
    monkeypatch.setattr(trans_real, "_default", None)
    yield
    translation.deactivate()


def test_every_label_of_the_french_page_is_translatable(as_viewer, world, marked_french):
    response = as_viewer.get(URL, PERIOD)  # French: the default language
    assert response.status_code == 200
    data = {n.name for n in world.networks.values()} | {"Beni", "Lubero"}
    for text in Tables(response.content.decode()).texts:
        rest = re.sub(r"⟦[^⟧]*(⟧|…$)", "", text)  # long labels are cut short in charts
        for name in sorted(data, key=len, reverse=True):
            rest = rest.replace(name, "")
        assert not re.search(r"[^\W\d_]{2,}", rest), text  # words left untranslated


def test_the_csv_headers_follow_the_language(as_viewer, world, marked_french):
    response = as_viewer.get(URL, {**PERIOD, "format": "csv", "table": "inclusion"})
    header, *rows = read_csv(response)
    assert all("⟦" in cell for cell in header)
    assert rows[-1][0].startswith("⟦")  # "All focal points"


def test_the_page_is_french_by_default_and_english_after_switching(as_viewer, world):
    html = as_viewer.get(URL, PERIOD).content.decode()
    assert '<html lang="fr">' in html
    for label in ("Statistiques", "Alertes par semaine, par catégorie", "Télécharger en CSV"):
        assert label in html
    as_viewer.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = as_viewer.get(URL, PERIOD).content.decode()
    assert "Alerts per week, by category" in html and "Download CSV" in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_shares_and_durations_are_written_as_the_locale_writes_them(language):
    from django.utils import formats, translation
    from django.utils.translation import gettext

    from dashboard.stats.tables import percent_text

    with translation.override(language):
        for value in (0, 0.04, 0.05, 12.345, 33.333, 66.65, 99.95, 100, 1234.56):
            expected = gettext("%(value)s %%") % {
                "value": formats.number_format(round(value, 1), 1)
            }
            assert percent_text(value) == expected, value
        assert duration_text(45) == gettext("%(seconds)s s") % {"seconds": 45}
        assert duration_text(3 * 3600 + 7 * 60) == gettext("%(hours)s h %(minutes)02d") % {
            "hours": 3,
            "minutes": 7,
        }
    with translation.override("fr"):
        assert percent_text(12.345) == "12,3 %"
