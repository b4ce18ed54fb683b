"""Town hall meetings and deployments: list, create, retrieve, scoped by area like alerts
(access.engagement). A place, alert or incident outside what the caller sees is refused as
unknown, never used."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from access.alerts import alerts_visible, incidents_visible
from access.engagement import deployments_visible, engagement_places, town_halls_visible
from alerts.models import Alert
from core.permissions import CapabilityPermission
from core.roles import can, roles_with
from engagement import selectors, services
from networks.models import Location
from triage.models import Incident

from .serializers import (
    DeploymentCreateSerializer,
    DeploymentSerializer,
    TownHallCreateSerializer,
    TownHallSerializer,
)


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.update_error_dict({})) from exc


def _place(user, pk: int, field: str) -> Location:
    allowed = engagement_places(user)
    if allowed is not None and pk not in allowed:
        raise ValidationError({field: [_("No such place among yours.")]})
    place = Location.objects.filter(pk=pk).first()
    if place is None:
        raise ValidationError({field: [_("No such place.")]})
    return place


def _staff(pk: int, field: str) -> User:
    user = (
        User.objects.filter(pk=pk, is_active=True, groups__name__in=roles_with("record_town_halls"))
        .distinct()
        .first()
    )
    if user is None:
        raise ValidationError({field: [_("No such member of staff.")]})
    return user


class TownHallViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Town hall meetings of the caller's areas, with their concerns and commitments."""

    permission_classes = [CapabilityPermission]
    read_capability = "read_town_halls"
    write_capabilities = {"create": "record_town_halls"}
    serializer_class = TownHallSerializer

    def get_queryset(self):
        queryset = selectors.town_hall_detail(selectors.town_hall_list())
        return town_halls_visible(queryset, self.request.user)

    @extend_schema(request=TownHallCreateSerializer, responses={201: TownHallSerializer})
    def create(self, request, *args, **kwargs):
        given = TownHallCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = request.user
        concerns = data.get("concerns", [])
        if any(c.get("raise_alert") for c in concerns) and not can(user, "raise_alert"):
            raise ValidationError({"concerns": [_("You may not raise alerts.")]})
        town_hall = _service(
            services.town_hall_create,
            by=user,
            place=_place(user, data["place"], "place"),
            held_on=data["held_on"],
            convener=_staff(data["convener"], "convener") if "convener" in data else user,
            participants=dict(data["participants"]),
            notes=data.get("notes", ""),
            concerns=[
                services.ConcernInput(
                    text=c["text"],
                    categories=tuple(c.get("categories", ())),
                    risk_factors=tuple(c.get("risk_factors", ())),
                    raise_alert=c.get("raise_alert", False),
                )
                for c in concerns
            ],
            commitments=[
                services.CommitmentInput(
                    text=c["text"], owner=_staff(c["owner"].pk, "commitments"), due_on=c["due_on"]
                )
                for c in data.get("commitments", [])
            ],
        )
        town_hall = self.get_queryset().get(pk=town_hall.pk)
        return Response(self.get_serializer(town_hall).data, status=status.HTTP_201_CREATED)


class DeploymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Joint protection teams and assessment missions sent to the caller's areas."""

    permission_classes = [CapabilityPermission]
    read_capability = "read_deployments"
    write_capabilities = {"create": "record_deployments"}
    serializer_class = DeploymentSerializer

    def get_queryset(self):
        queryset = selectors.deployment_detail(selectors.deployment_list())
        return deployments_visible(queryset, self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_alerts"] = set(
            alerts_visible(
                Alert.objects.filter(deployments__isnull=False), self.request.user
            ).values_list("pk", flat=True)
        )
        return context

    def _visible(self, model_queryset, ids: list[int], field: str):
        found = list(model_queryset.filter(pk__in=ids))
        missing = sorted(set(ids) - {row.pk for row in found})
        if missing:
            raise ValidationError(
                {field: [_("No such id: %(ids)s.") % {"ids": ", ".join(map(str, missing[:20]))}]}
            )
        return found

    @extend_schema(request=DeploymentCreateSerializer, responses={201: DeploymentSerializer})
    def create(self, request, *args, **kwargs):
        given = DeploymentCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = request.user
        deployment = _service(
            services.deployment_create,
            by=user,
            kind=data["kind"],
            area=_place(user, data["area"], "area"),
            started_on=data["started_on"],
            ended_on=data.get("ended_on"),
            team=dict(data["team"]),
            alerts=self._visible(
                alerts_visible(Alert.objects.all(), user), data.get("alerts", []), "alerts"
            ),
            incidents=self._visible(
                incidents_visible(Incident.objects.all(), user),
                data.get("incidents", []),
                "incidents",
            ),
            findings=data.get("findings", ""),
            recommendations=data.get("recommendations", []),
        )
        deployment = self.get_queryset().get(pk=deployment.pk)
        return Response(self.get_serializer(deployment).data, status=status.HTTP_201_CREATED)
