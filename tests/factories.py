"""factory_boy factories shared by the test suite."""

import datetime as dt
import itertools

import factory
from django.contrib.auth.models import Group, User

from networks.models import Equipment, FocalPoint, Location, Membership, Network
from networks.services import focal_point_create

# Valid DR Congo mobile numbers (Vodacom 099x block), one per focal point.
_numbers = itertools.count(1000)


def next_phone() -> str:
    return f"+24399{next(_numbers):07d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-kengele-test")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="analyst") puts the user in that role's group."""
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @classmethod
    def with_role(cls, role: str, **kwargs) -> User:
        return cls(role=role, username=kwargs.pop("username", role), **kwargs)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Place {n}")
    kind = Location.Kind.LOCALITY
    parent = None


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
    """Built through the service, so the phone is normalised and its hash set."""

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
    class Meta:
        model = Membership

    focal_point = factory.SubFactory(FocalPointFactory)
    network = factory.SubFactory(NetworkFactory)
    joined_on = dt.date(2024, 1, 15)


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    focal_point = factory.SubFactory(FocalPointFactory)
    kind = Equipment.Kind.AIRTIME
    given_on = dt.date(2025, 10, 1)
    amount = 5


class AlertFactory(factory.django.DjangoModelFactory):
    """A new alert triage has not reached yet."""

    class Meta:
        model = "alerts.Alert"

    source = "sms"
    text = "Bonjour, ceci est un test"
    received_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
