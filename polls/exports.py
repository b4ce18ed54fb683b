"""A poll's answers as a CSV download, for the dashboard and the API alike: recorded in the
audit trail as any export, free answers only for roles that may read identities."""

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from core.roles import can
from networks.audit import audit_export_record

from .models import Poll
from .selectors import responses_csv


def poll_answers_download(*, request: HttpRequest, poll: Poll, responses) -> StreamingHttpResponse:
    """The answers among `responses` (those the user may see) to `poll`, one per line."""
    audit_export_record(
        request=request,
        export="poll_answers_csv",
        target_type="polls.poll",
        target_ids=[poll.pk],
        count=responses.filter(poll=poll).count(),
    )
    response = StreamingHttpResponse(
        responses_csv(
            poll=poll, responses=responses, include_text=can(request.user, "see_identity")
        ),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"kengele-poll-{poll.pk}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
