"""French all the way: every dashboard and field page and every admin list and form, as each
role sees them in French, with real data in them, shows no English and no programmer's names.

The pages are found by walking the dashboard's and the field pages' (cla) URL patterns and the
models the admin site offers, not from a hand-written list, so a new page is checked the day it
appears. The alert
page and the map are also checked in a real browser (their text is partly drawn by scripts).
"""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import BaseConstraint
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from alerts.models import AlertEvent, Message, ResponseUnit
from alerts.services import alert_escalate, alert_event_record, alert_transition, broadcast_create
from cla.services import FollowUpData
from cla.succession import cla_handover_perform
from core import roles
from tests.browser import (
    OUTSIDE,
    english_words,
    expect,
    french_page_problems,
    html_visible_text,
    log_in,
    needs_playwright,
    off_loop,
    snake_case_words,
    visible_text,
)
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    CLAProfileFactory,
    EquipmentFactory,
    FieldVisitFactory,
    FocalPointFactory,
    IncidentFactory,
    LPCFactory,
    LPCMeetingFactory,
    LPCMemberFactory,
    MembershipFactory,
    MessageFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)
from triage.constants import AUTO_ASSIGN_NOTE
from triage.engine import analyse
from triage.engine.types import Place
from triage.models import LexiconTerm

TEXT = "Hommes armés à Mbau maintenant, on tire sur les maisons, 3 morts, ce n'est pas un vol"
# Canned replies are data in each reporter's language (an English one is seeded): the alert
# page marks them with lang, which the visible text leaves out.


def make_world() -> dict:
    """A corner of Nord-Kivu with everyone the pages list: a network and its focal points,
    an alert triaged by the engine with its history, an incident, a committee and its meeting,
    a CLA's visit, a broadcast."""
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    mbau = VillageFactory(name="Mbau", parent=beni, latitude="0.63", longitude="29.49")
    oicha = VillageFactory(name="Oicha", parent=beni, latitude="0.70", longitude="29.52")
    network = NetworkFactory(name="CAN Mbau", code="can-mbau", base=mbau, area=[mbau])
    focal_point = FocalPointFactory(name="Kavira Masika", language="fr", home_location=mbau)
    MembershipFactory(focal_point=focal_point, network=network)
    EquipmentFactory(focal_point=focal_point)
    users = {
        role: UserFactory(
            username=f"u-{role}",
            role=role,
            is_staff=role in roles.CAPABILITIES["use_admin_site"],
        )
        for role in roles.ROLES
    }
    AnalystProfileFactory(user=users[roles.ANALYST], areas=[beni])
    CLAProfileFactory(user=users[roles.CLA], assigned_places=[mbau])

    result = analyse(TEXT, [Place(mbau.pk, "Mbau")], reporter_reliability=0.2)
    incident = IncidentFactory(location=mbau, priority=1, reporter_count=2, mechanism_count=1)
    alert = AlertFactory(
        triaged=True,
        text=TEXT,
        reporter=focal_point,
        location=mbau,
        priority=result.priority,
        categories=result.categories,
        risk_factors=result.risk_factors,
        language=result.language,
        explanation=result.explanation,
        incident=incident,
    )
    MessageFactory(alert=alert, body=TEXT, direction=Message.Direction.INBOUND)
    AlertFactory(triaged=True, text="Calme à Oicha ce matin", location=oicha, priority=4)
    analyst = users[roles.ANALYST]
    alert_event_record(
        alert=alert, kind=AlertEvent.Kind.ASSIGNED, after={"username": "u"}, note=AUTO_ASSIGN_NOTE
    )
    alert_event_record(
        alert=alert, kind=AlertEvent.Kind.RISK_FACTORS, by=analyst, before=["RF1"], after=["RF11"]
    )
    alert_transition(alert=alert, to="acknowledged", by=analyst)
    alert_transition(alert=alert, to="verified", by=analyst)
    alert_escalate(
        alert=alert,
        unit=ResponseUnit.objects.get_or_create(name="Human Rights")[0],
        by=analyst,
        note="",
    )
    LexiconTerm.objects.create(term="bunduki", language="sw", category="attack", weight=2)

    lpc = LPCFactory(name="CLP Mbau", places=[mbau], cla=users[roles.CLA])
    LPCMemberFactory(lpc=lpc, name="Kahambu Sifa")
    LPCMeetingFactory(lpc=lpc, place=mbau)
    FieldVisitFactory(cla=users[roles.CLA], places=[mbau])
    # A CLA who left handed their network and a follow-up to u-cla: a handover in the history.
    leaving = UserFactory(username="u-cla-sortant", role=roles.CLA)
    NetworkFactory(name="CAN Oicha", code="can-oicha", base=oicha, cla=leaving)
    FieldVisitFactory(
        cla=leaving,
        places=[oicha],
        follow_ups=[
            FollowUpData(description="Revoir le chef d’Oicha", due_on=dt.date(2025, 10, 20))
        ],
    )
    cla_handover_perform(
        from_cla=leaving, to_cla=users[roles.CLA], by=users[roles.SUPERVISOR], note="Départ à Goma."
    )
    broadcast = broadcast_create(
        title="Alerte Beni",
        texts={"fr": "Alerte : mouvements armés signalés. Restez prudents.", "sw": "", "ln": ""},
        network_ids=[network.pk],
        location_ids=[],
        focal_point_ids=[],
        created_by=users[roles.ADMIN],
    )
    return {
        "users": users,
        "alert": alert,
        "incident": incident,
        "broadcast": broadcast,
        "team": users[roles.CLA],
    }


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry.name


# The namespaces crawled, and the objects whose <pk> fills their routes (by the route's start).
CRAWLED = ("dashboard", "cla")
OWNERS = ("alert", "incident", "broadcast", "team")


def dashboard_urls(world: dict) -> list[str]:
    """Every named page of the crawled namespaces, its <pk> filled from the world."""
    urls = []
    for space in CRAWLED:
        namespace = get_resolver().namespace_dict[space][1]
        for route, name in _patterns(namespace):
            kwargs = {}
            if "<int:pk>" in route:
                owner = next((k for k in OWNERS if route.startswith(k)), None)
                if owner is None:
                    continue
                kwargs["pk"] = world[owner].pk
            try:
                urls.append(reverse(f"{space}:{name}", kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(set(urls))


def admin_urls() -> list[str]:
    """The changelist and the add form of every model the admin site offers."""
    urls = []
    for model in apps.get_models():
        meta = model._meta
        for view in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                continue
    return urls


def foreign_data() -> list[str]:
    """Texts stored in another language than French (replies, voice prompts, keywords of an
    English or Swahili row): data, not the interface, which the pages show as written."""
    texts = set()
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.concrete_fields}
        language = fields.get("language")
        if language is None:
            continue
        wordy = [
            name
            for name, field in fields.items()
            if field.get_internal_type() in ("CharField", "TextField") and not field.choices
        ]
        for row in model._default_manager.exclude(language="fr").values(*wordy):
            texts |= {str(v).strip() for v in row.values() if v and len(str(v).strip()) > 3}
    return sorted(texts, key=len, reverse=True)


def french_problems_of(client, urls: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """(problems per page, pages shown): only HTML pages the role may see are read."""
    problems, shown = {}, []
    foreign = foreign_data()
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        shown.append(url)
        text = html_visible_text(response.content.decode())
        for data in foreign:
            text = text.replace(data, " ")
        found = french_page_problems(text)
        if found:
            problems[url] = found
    return problems, shown


def test_the_checks_catch_what_they_look_for():
    text = html_visible_text(
        "<html><head><title>Alerte</title><style>.a_b{}</style></head><body>"
        "<p>Par network</p><p>membership_left_after_joined</p><p>kept: 3</p>"
        '<script>var my_name = 1;</script><p lang="sw">Watu wenye silaha</p>'
        '<input placeholder="Search"></body></html>'
    )
    assert snake_case_words(text) == ["membership_left_after_joined"]
    assert [hit.split(" in ")[0] for hit in english_words(text)] == [
        "'network'",
        "'kept'",
        "'Search'",
    ]
    assert "Watu" not in text and "my_name" not in text
    # French sentences and proper nouns pass.
    assert not french_page_problems("Réseau CAN Mbau, Place de l’incident, Kavira Masika")


@pytest.mark.django_db
def test_every_dashboard_and_admin_page_reads_in_french_for_every_role(client):
    world = make_world()
    pages, admin = dashboard_urls(world), admin_urls()
    assert len(pages) > 15 and len(admin) > 40  # the crawl found the pages
    client.cookies["django_language"] = "fr"
    problems, shown = {}, {}
    for role, user in world["users"].items():
        client.force_login(user)
        found, seen = french_problems_of(client, pages + admin)
        problems |= {f"{role} {url}": hits for url, hits in found.items()}
        shown[role] = seen
    # Each role saw its pages (the crawl did not stop at the door).
    assert any("/alerts/" in url for url in shown[roles.ANALYST])
    assert "/dashboard/map/" in shown[roles.VIEWER]
    team = world["team"].pk
    assert {"/cla/team/", f"/cla/team/{team}/", f"/cla/team/{team}/handover/"} <= set(
        shown[roles.SUPERVISOR]
    )
    assert f"/cla/team/{team}/" in shown[roles.CLA]
    assert sum(url.startswith("/admin/") for url in shown[roles.ADMIN]) > 30
    assert sum(url.startswith("/admin/") for url in shown[roles.SUPERVISOR]) > 20
    report = "\n".join(f"{page}: {hit}" for page, hits in problems.items() for hit in hits)
    assert not problems, "English or code names on French pages:\n" + report


def test_every_constraint_has_a_sentence_of_its_own():
    """Django's default message names the constraint (“membership_left_after_joined”)."""
    with translation.override("fr"):
        default = str(BaseConstraint.default_violation_error_message)
        unnamed = [
            f"{model._meta.label}.{constraint.name}"
            for model in apps.get_models()
            for constraint in model._meta.constraints
            if str(constraint.violation_error_message) == default
        ]
    assert not unnamed


@pytest.mark.django_db
def test_a_broken_constraint_reads_as_a_sentence():
    membership = MembershipFactory(joined_on=dt.date(2025, 6, 10))
    membership.left_on = dt.date(2025, 6, 1)
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        membership.validate_constraints()
    message = " ".join(caught.value.messages)
    assert "Un membre ne peut pas partir avant d’être entré" in message
    assert "membership_left_after_joined" not in message


def make_browser_world() -> tuple[int, int]:
    world = make_world()
    return world["alert"].pk, world["incident"].pk


@pytest.mark.slow
@needs_playwright
@pytest.mark.django_db(transaction=True)
def test_the_alert_page_and_the_map_read_in_french_in_a_browser(live_server, browser):
    alert, _incident = off_loop(make_browser_world)
    base = live_server.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    context.route(OUTSIDE, lambda route: route.abort())
    page = context.new_page()
    log_in(page, base, f"u-{roles.ANALYST}", then=f"/dashboard/alerts/{alert}/")
    expect(page.locator("dl.explanation")).to_contain_text("d’après les mots")
    texts = {"alert": visible_text(page, skip=("#canned-reply option:not([value=''])",))}
    page.goto(f"{base}/dashboard/map/")
    expect(page.locator("#map")).to_have_attribute("data-loaded", re.compile(r"[1-9]"))
    expect(page.locator("#map-notice")).to_be_visible()
    page.wait_for_timeout(400)
    texts["map"] = visible_text(page)
    context.close()
    problems = [
        f"{name}: {hit}" for name, text in texts.items() for hit in french_page_problems(text)
    ]
    assert not problems, "English or code names on French pages:\n" + "\n".join(problems)
