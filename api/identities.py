"""Names and numbers in API responses: which ones a response may show (networks.identities),
and the 429 that answers a bulk read."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from networks.identities import Reveal, identities_reveal


class IdentityReadsRefused(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _(
        "Too many names and numbers read within the hour: this request is refused and "
        "supervisors are told. Ask for fewer (a smaller page, a filter), or wait."
    )
    default_code = "identity_reads_refused"


def reveal_or_refuse(request, focal_point_ids, where: str, **details) -> Reveal:
    """The names and numbers this response may show (networks.identities), or a 429 when it
    would take the user past the hourly limit."""
    reveal = identities_reveal(
        request=request, focal_point_ids=focal_point_ids, where=where, **details
    )
    if reveal.refused:
        raise IdentityReadsRefused()
    return reveal
