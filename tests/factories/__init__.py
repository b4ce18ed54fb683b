"""factory_boy factories for the test suite, one module per app; import them from here."""

from .alerts import AlertFactory, MessageFactory
from .cla import CLAProfileFactory, FieldVisitFactory
from .engagement import DeploymentFactory, TownHallFactory
from .lpc import LPCFactory, LPCMeetingFactory, LPCMemberFactory
from .networks import (
    EquipmentFactory,
    FocalPointFactory,
    LocationFactory,
    MembershipFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    VillageFactory,
    next_phone,
)
from .triage import AnalystProfileFactory, IncidentFactory
from .users import UserFactory

__all__ = [
    "AlertFactory",
    "AnalystProfileFactory",
    "CLAProfileFactory",
    "DeploymentFactory",
    "EquipmentFactory",
    "FieldVisitFactory",
    "FocalPointFactory",
    "IncidentFactory",
    "LPCFactory",
    "LPCMeetingFactory",
    "LPCMemberFactory",
    "LocationFactory",
    "MembershipFactory",
    "MessageFactory",
    "NetworkFactory",
    "ProvinceFactory",
    "TerritoryFactory",
    "TownHallFactory",
    "UserFactory",
    "VillageFactory",
    "next_phone",
]
