"""An alert typed in by an operator: received by HF radio, a phone call or in person.

Analysts, supervisors and admins fill it in; the alert is created through
alerts.services.alert_create (recorded with who typed it) and triaged like any other. An analyst
with areas picks among the places of those areas and the focal points whose identity they may
read (access.identities), named in clear unless that is a bulk read.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from alerts.models import Alert
from alerts.services import alert_create
from core.permissions import capability_required, require
from core.roles import can, mask_name
from networks import selectors as network_selectors
from networks.identities import focal_points_identifiable, identities_reveal
from triage.selectors import analyst_area_ids

OPERATOR_SOURCES = (Alert.Source.RADIO, Alert.Source.PHONE, Alert.Source.IN_PERSON)
TEXT_MAX_LENGTH = 4000  # as the API's
REPORTER_NAME_MAX_LENGTH = 200


class OperatorAlertForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Received by"),
        choices=[(s.value, s.label) for s in OPERATOR_SOURCES],
        widget=forms.RadioSelect,
    )
    reporter = forms.TypedChoiceField(
        label=_("Focal point"), coerce=int, required=False, empty_value=None
    )
    reporter_name = forms.CharField(
        label=_("Or who reported it"),
        max_length=REPORTER_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Name and role of someone who is not a focal point (kept encrypted)."),
    )
    location = forms.TypedChoiceField(
        label=_("Place"), coerce=int, required=False, empty_value=None
    )
    text = forms.CharField(
        label=_("What was reported"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In the reporter's words, as far as possible: triage reads it."),
    )

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        user = request.user
        places = network_selectors.location_list().order_by("name", "pk")
        active = network_selectors.focal_point_list().prefetch_related(None).filter(active=True)
        # The focal points whose identity the user may read (an analyst: their areas').
        people = focal_points_identifiable(active, user)
        areas = set() if can(user, "supervise") else analyst_area_ids(user=user)
        if areas:  # an analyst with areas: theirs only, as for the alerts they see
            places = places.filter(pk__in=network_selectors.location_ids_within_any(areas))
        self.places = {p.pk: p for p in places}
        self.people = {fp.pk: fp for fp in people}
        # Their names in clear unless that is a bulk read (networks.identities): then masked.
        names = identities_reveal(request=request, focal_point_ids=self.people, where="alert_new")
        self.identities_refused = names.refused
        self.fields["location"].choices = [("", _("Unknown: triage will look for it"))] + [
            (p.pk, f"{p.name} ({p.parent.name})" if p.parent_id else p.name)
            for p in self.places.values()
        ]
        self.fields["reporter"].choices = [("", _("Not a focal point"))] + sorted(
            (
                (
                    fp.pk,
                    f"{fp.name if fp.pk in names else mask_name(fp.name)}"
                    f" · {fp.home_location.name if fp.home_location else '—'}",
                )
                for fp in self.people.values()
            ),
            key=lambda choice: choice[1].casefold(),
        )

    def clean(self):
        data = super().clean()
        if data.get("reporter") and (data.get("reporter_name") or "").strip():
            raise forms.ValidationError(
                _("Choose a focal point or type who reported it, not both.")
            )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "text": data["text"].strip(),
            "reporter": self.people.get(data["reporter"]),
            "reporter_name": data["reporter_name"],
            "location": self.places.get(data["location"]),
        }


@require_http_methods(["GET", "POST"])
@capability_required(htmx_login_next="dashboard:queue")
def alert_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "work_alerts")
    form = OperatorAlertForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        alert = alert_create(created_by=request.user, **form.service_arguments())
        messages.success(
            request,
            gettext("Alert %(reference)s recorded: triage is reading it.")
            % {"reference": alert.reference},
        )
        return redirect("dashboard:alert", pk=alert.pk)
    return render(request, "dashboard/alert_new.html", {"form": form})
