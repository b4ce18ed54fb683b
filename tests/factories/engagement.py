"""Town hall meetings and deployments, made by the engagement services so their rules hold."""

import datetime as dt

import factory

from engagement import services
from engagement.models import Deployment, TownHall

from .networks import VillageFactory
from .users import UserFactory


class TownHallFactory(factory.django.DjangoModelFactory):
    """A town hall a week ago; TownHallFactory(place=..., convener=...)."""

    class Meta:
        model = TownHall

    place = factory.SubFactory(VillageFactory)
    held_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=7))
    convener = factory.SubFactory(UserFactory, role="analyst")
    participants = factory.LazyFunction(lambda: {"women": 12, "youth": 8, "authorities": 2})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        by = kwargs.pop("by", None) or kwargs["convener"]
        return services.town_hall_create(by=by, **kwargs)


class DeploymentFactory(factory.django.DjangoModelFactory):
    """A joint protection team sent three days ago."""

    class Meta:
        model = Deployment

    kind = Deployment.Kind.JPT
    area = factory.SubFactory(VillageFactory)
    started_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=3))
    team = factory.LazyFunction(lambda: {"military": 6, "police": 2, "civilians": 3})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        by = kwargs.pop("by", None) or UserFactory(role="supervisor")
        return services.deployment_create(by=by, **kwargs)
