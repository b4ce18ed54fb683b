"""Local Protection Committees, their members and meetings, made by the lpc services so their
rules hold (a meeting in the past, one a day, members present who sat on it that day)."""

import datetime as dt

import factory

from lpc import services
from lpc.constants import ATTENDANCE_FIELDS
from lpc.models import LPC, LPCMeeting, LPCMember

from .networks import VillageFactory


class LPCFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LPC

    name = factory.Sequence(lambda n: f"CLP {n}")
    kind = LPC.Kind.MISSION
    founded_on = dt.date(2019, 5, 14)
    places = factory.LazyFunction(lambda: [VillageFactory()])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.lpc_create(by=None, **kwargs)


class LPCMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LPCMember

    lpc = factory.SubFactory(LPCFactory)
    name = factory.Sequence(lambda n: f"Kavira Kahambu {n}")
    role = LPCMember.Role.MEMBER
    gender = "female"
    age_band = "25-34"
    joined_on = dt.date(2019, 5, 14)

    @classmethod
    def _create(cls, model_class, *args, lpc, **kwargs):
        return services.lpc_member_create(lpc=lpc, by=None, **kwargs)


class LPCMeetingFactory(factory.django.DjangoModelFactory):
    """A meeting with its head counts; members_present=[...] and action_points=[ActionPointInput]
    are handed to the service as they are."""

    class Meta:
        model = LPCMeeting

    lpc = factory.SubFactory(LPCFactory)
    held_on = factory.Sequence(lambda n: dt.date(2025, 10, 4) - dt.timedelta(days=n))
    place = factory.LazyAttribute(lambda m: m.lpc.places.first())
    women_adults = 4
    men_adults = 5
    minutes = "Des hommes armés ont été vus près du village."
    categories = factory.LazyFunction(lambda: ["armed_presence"])
    recorded_by = None

    @classmethod
    def _create(cls, model_class, *args, lpc, held_on, recorded_by=None, **kwargs):
        attendance = {name: kwargs.pop(name) for name in ATTENDANCE_FIELDS if name in kwargs}
        return services.lpc_meeting_create(
            lpc=lpc, by=recorded_by, held_on=held_on, attendance=attendance, **kwargs
        )
