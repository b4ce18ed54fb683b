from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.polls import conversations_visible, responses_visible
from core.permissions import CapabilityPermission
from polls import selectors
from polls.models import Conversation
from polls.models import Response as PollResponse

from .serializers import PollSerializer


class PollViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Perception polls and their questions; results are counted over the answers of the
    reader's areas or places (access.polls). No phone number or name is ever part of them."""

    permission_classes = [CapabilityPermission]
    read_capability = "read_polls"
    serializer_class = PollSerializer

    def get_queryset(self):
        return selectors.poll_list().prefetch_related("questions__choices")

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Per question: asked, answered by SMS, the rate, field answers, counts and shares per
        answer (and the previous round's), by territory and by group."""
        poll = self.get_object()
        user = request.user
        return Response(
            selectors.poll_results(
                poll=poll,
                responses=responses_visible(PollResponse.objects.all(), user),
                conversations=conversations_visible(Conversation.objects.all(), user),
            )
        )
