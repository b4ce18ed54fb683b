"""Places, networks, focal points and their memberships and equipment."""

import datetime as dt
import itertools

import factory

from networks.models import Equipment, FocalPoint, Location, Membership, Network
from networks.services import focal_point_create, membership_record

# Valid DR Congo mobile numbers (Vodacom 099x block), a new one each time.
_numbers = itertools.count(1000)


def next_phone() -> str:
    return f"+24399{next(_numbers):07d}"


class LocationFactory(factory.django.DjangoModelFactory):
    """A place of any kind; the province, territory and village factories below make a tree."""

    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Place {n}")
    kind = Location.Kind.LOCALITY
    parent = None


class ProvinceFactory(LocationFactory):
    name = factory.Sequence(lambda n: f"Province {n}")
    kind = Location.Kind.PROVINCE


class TerritoryFactory(LocationFactory):
    name = factory.Sequence(lambda n: f"Territory {n}")
    kind = Location.Kind.TERRITORY
    parent = factory.SubFactory(ProvinceFactory)


class VillageFactory(LocationFactory):
    name = factory.Sequence(lambda n: f"Village {n}")
    kind = Location.Kind.VILLAGE
    parent = factory.SubFactory(TerritoryFactory)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CAN {n}")
    code = factory.Sequence(lambda n: f"can-{n}")
    status = Network.Status.ACTIVE
    started_on = dt.date(2022, 1, 1)

    @factory.post_generation
    def area(self, create, extracted, **kwargs):
        if create and extracted:
            self.area.set(extracted)


class FocalPointFactory(factory.django.DjangoModelFactory):
    """Made by the service, so the numbers are normalised and their lookup hashes set."""

    class Meta:
        model = FocalPoint

    name = factory.Sequence(lambda n: f"Kahindo Masika {n}")
    phone = factory.LazyFunction(next_phone)
    language = FocalPoint.Language.SWAHILI
    gender = FocalPoint.Gender.FEMALE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return focal_point_create(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    """Recorded by the service: a period overlapping another of the same network is refused."""

    class Meta:
        model = Membership

    focal_point = factory.SubFactory(FocalPointFactory)
    network = factory.SubFactory(NetworkFactory)
    joined_on = dt.date(2024, 1, 15)
    left_on = None
    left_reason = ""

    @classmethod
    def _create(cls, model_class, *args, left_reason="", **kwargs):
        return membership_record(reason=left_reason, **kwargs)


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    focal_point = factory.SubFactory(FocalPointFactory)
    kind = Equipment.Kind.AIRTIME
    given_on = dt.date(2025, 10, 1)
    amount = 5
