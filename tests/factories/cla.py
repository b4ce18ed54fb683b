"""Community Liaison Assistants' profiles and field visits, made by the cla services."""

import datetime as dt
import uuid

import factory

from cla.models import CLAProfile, FieldVisit
from cla.services import cla_profile_save, field_visit_create

from .networks import VillageFactory
from .users import UserFactory


class CLAProfileFactory(factory.django.DjangoModelFactory):
    """A CLA and the places they cover: CLAProfileFactory(assigned_places=[territory])."""

    class Meta:
        model = CLAProfile

    user = factory.SubFactory(UserFactory, role="cla")
    languages = factory.LazyFunction(lambda: ["fr", "sw"])
    assigned_places = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cla_profile_save(**kwargs)


class FieldVisitFactory(factory.django.DjangoModelFactory):
    """A visit as a CLA records it on coming back (recruits, follow-ups and an alert go to the
    service as they are: recruits=[RecruitData(...)], alert_text=...)."""

    class Meta:
        model = FieldVisit

    cla = factory.SubFactory(UserFactory, role="cla")
    idempotency_key = factory.LazyFunction(uuid.uuid4)
    visited_on = factory.Sequence(lambda n: dt.date(2025, 10, 6) - dt.timedelta(days=n))
    places = factory.LazyFunction(lambda: [VillageFactory()])
    purpose = FieldVisit.Purpose.NETWORK_SUPPORT
    women_met = 6
    men_met = 4

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        visit, _created = field_visit_create(**kwargs)
        return visit
