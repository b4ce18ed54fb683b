"""Threats against the people who report. When an alert is filed under threat_to_informant
(by triage, by the reporter's next text in its thread, or by an analyst's correction), its
reporter is marked at risk, which pauses broadcasts to them until a supervisor clears it, and
the supervisors get an SMS notice that names neither the reporter nor their number. Once per
alert: the history records it."""

import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent, Message
from alerts.services import SendRefused, alert_event_record, sms_send
from networks.models import FocalPoint
from networks.services import focal_point_mark_at_risk

from ..selectors import supervisors_to_notify

log = logging.getLogger(__name__)

THREAT_TO_INFORMANT = "threat_to_informant"


def informant_threat_notice(alert: Alert) -> str:
    """The supervisors' SMS, in the active language: the alert's reference and priority only,
    never who reported it, from which number, nor where they live."""
    return _(
        "Kengele: alert %(reference)s (P%(priority)s) reports a threat against the person "
        "who reported it. Broadcasts to them are paused. Please see to it on the dashboard."
    ) % {"reference": alert.reference, "priority": alert.priority or "?"}


@transaction.atomic
def alert_informant_threat(*, alert: Alert, by=None) -> bool:
    """If `alert` is about a threat to its reporter and this was not done yet: mark the
    reporter at risk, text the supervisors, record both in the alert's history. `by`: the
    analyst whose correction said so (None for triage). Returns whether it acted."""
    if THREAT_TO_INFORMANT not in (alert.categories or ()):
        return False
    # The alert's row, locked: two triage runs at once act once.
    Alert.objects.select_for_update().filter(pk=alert.pk).values_list("pk").first()
    if AlertEvent.objects.filter(alert=alert, kind=AlertEvent.Kind.INFORMANT_THREAT).exists():
        return False
    marked = False
    if alert.reporter_id is not None:
        reporter = FocalPoint.objects.only("pk").get(pk=alert.reporter_id)
        marked = focal_point_mark_at_risk(focal_point=reporter, reason=alert.reference, by=by)
    notified = 0
    for profile in supervisors_to_notify():
        with translation.override(profile.language):
            body = informant_threat_notice(alert)
        try:
            sms_send(to=profile.phone, body=body, kind=Message.Kind.NOTICE)
        except SendRefused as exc:
            log.warning("threat notice to supervisor %s not sent: %s", profile.user_id, exc)
            continue
        notified += 1
    alert_event_record(
        alert=alert,
        kind=AlertEvent.Kind.INFORMANT_THREAT,
        by=by,
        after={"marked": marked, "supervisors_notified": notified},
    )
    return True
