"""Where an alert raised by hand came from: who raised it, the committee meeting or field
visit it was raised at (linked when the viewer may open it), and whom to contact about it,
since there is no phone number to answer by SMS."""

from django.urls import reverse

from alerts.models import Alert
from cla.selectors import visit_of_alert, visit_readable
from lpc.permissions import can_read_records
from lpc.selectors import meeting_link_of_alert


def alert_origin(alert: Alert, user) -> dict | None:
    """For an alert raised by hand: `raised_by` (a user or None), `meeting` or `visit` with its
    `url` (None when the viewer may not open it), and `contact`, the person who can say more
    (the visit's CLA, the committee's supporting CLA, else who raised it). None for an alert
    that came from a phone."""
    if not alert.raised_by_hand:
        return None
    origin = {"raised_by": alert.created_by, "meeting": None, "visit": None, "url": None}
    contact = None
    link = meeting_link_of_alert(alert_id=alert.pk)
    if link is not None:
        origin["meeting"] = link.meeting
        origin["raised_by"] = origin["raised_by"] or link.raised_by
        contact = link.meeting.lpc.cla
        if can_read_records(user):
            origin["url"] = reverse("lpc:meeting", args=[link.meeting.pk])
    else:
        visit = visit_of_alert(alert_id=alert.pk)
        if visit is not None:
            origin["visit"] = visit
            origin["raised_by"] = origin["raised_by"] or visit.cla
            contact = visit.cla
            if visit_readable(visit=visit, user=user):
                origin["url"] = reverse("cla:visit", args=[visit.pk])
    origin["contact"] = contact or origin["raised_by"]
    return origin
