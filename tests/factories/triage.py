"""Incidents and the analysts' profiles."""

import factory
from django.utils import timezone

from triage.models import AnalystProfile, Incident

from .networks import VillageFactory
from .users import UserFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident as triage opens it, before its alerts are counted in (alert_group does)."""

    class Meta:
        model = Incident

    location = factory.SubFactory(VillageFactory)
    categories = factory.LazyFunction(lambda: ["attack"])
    priority = 2
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyAttribute(lambda i: i.first_seen_at)


class AnalystProfileFactory(factory.django.DjangoModelFactory):
    """An analyst on duty; AnalystProfileFactory(areas=[territory]) for where they work."""

    class Meta:
        model = AnalystProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role="analyst")
    on_duty = True

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)
