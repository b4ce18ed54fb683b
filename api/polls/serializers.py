"""Polls as the API shows them, and the shapes it takes to build, send and answer them. The
rules (a draft only, 2 to 9 answers, the audience) are the services' (polls.services): these
check the shape of a request, and ask the services whether each question is right so that
its errors come back under that question."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from networks import selectors as network_selectors
from networks.constants import MAX_ID
from polls import selectors, services
from polls.constants import (
    CHOICE_MAX_LENGTH,
    FREE_ANSWER_MAX_LENGTH,
    LANGUAGES,
    MAX_CHOICES,
    MAX_QUESTIONS,
    QUESTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from polls.models import Choice, Group, Interview, Poll, Question

MAX_SELECTED = 10_000  # ids in one audience list: more than any roster


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["number", "label_fr", "label_sw", "label_ln", "label_en"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "position", "kind", "text_fr", "text_sw", "text_ln", "text_en", "choices"]


class PollSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    networks = serializers.ListField(
        source="network_ids",
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("The audience it was sent to: network ids (empty while a draft)."),
    )
    locations = serializers.ListField(
        source="location_ids",
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("Place ids: focal points living there or anywhere below."),
    )
    focal_points = serializers.ListField(
        source="focal_point_ids", child=serializers.IntegerField(), read_only=True
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Poll
        fields = [
            "id",
            "title",
            "status",
            "previous_round",
            "created_by",
            "created_at",
            "sent_by",
            "sent_at",
            "closed_at",
            "broadcast",
            "networks",
            "locations",
            "focal_points",
            "questions",
        ]
        read_only_fields = fields


def _optional(max_length: int) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True)


class ChoiceWriteSerializer(serializers.Serializer):
    """A numbered answer's label per language (numbered in the order given)."""

    label_fr = serializers.CharField(max_length=CHOICE_MAX_LENGTH)
    label_sw = _optional(CHOICE_MAX_LENGTH)
    label_ln = _optional(CHOICE_MAX_LENGTH)
    label_en = _optional(CHOICE_MAX_LENGTH)


class QuestionWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text_fr = serializers.CharField(max_length=QUESTION_MAX_LENGTH)
    text_sw = _optional(QUESTION_MAX_LENGTH)
    text_ln = _optional(QUESTION_MAX_LENGTH)
    text_en = _optional(QUESTION_MAX_LENGTH)
    choices = ChoiceWriteSerializer(
        many=True,
        required=False,
        max_length=MAX_CHOICES,
        help_text=_(
            "For numbered answers only, 2 to 9 of them; a yes-or-no question gets its two "
            "answers by itself, a free-text question none."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        try:
            services.question_check(**_question_arguments(attrs))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


def _question_arguments(question: dict) -> dict:
    """A question as polls.services takes it: texts and labels by language."""
    return {
        "kind": question["kind"],
        "texts": {lang: question.get(f"text_{lang}", "") for lang in LANGUAGES},
        "choices": [
            {lang: row.get(f"label_{lang}", "") for lang in LANGUAGES}
            for row in question.get("choices") or []
        ],
    }


class PollWriteSerializer(serializers.Serializer):
    """A draft: its title, the previous round it is compared with, and its questions (in
    order; on a change, the questions given replace the draft's own)."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    previous_round = serializers.PrimaryKeyRelatedField(
        queryset=selectors.poll_list(), required=False, allow_null=True
    )
    questions = QuestionWriteSerializer(many=True, required=False, max_length=MAX_QUESTIONS)

    def questions_arguments(self) -> list[dict] | None:
        """The questions as the services take them; None when none were given."""
        given = self.validated_data.get("questions")
        return None if given is None else [_question_arguments(q) for q in given]


class PollUpdateSerializer(PollWriteSerializer):
    """A change of a draft: what is left out stays as it is."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False


def _ids(help_text) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_SELECTED,
        required=False,
        default=list,
        help_text=help_text,
    )


class PollSendSerializer(serializers.Serializer):
    """Who gets the first question (at least one network, place or focal point)."""

    networks = _ids(_("Network ids: their current members."))
    locations = _ids(_("Place ids: focal points living there or anywhere below."))
    focal_points = _ids(_("Focal point ids."))


class InterviewWriteSerializer(serializers.Serializer):
    """One respondent asked in the field: their group and place, never a name."""

    group = serializers.ChoiceField(choices=Group.choices)
    location = serializers.PrimaryKeyRelatedField(
        queryset=network_selectors.location_list().exclude(kind="province")
    )
    answers = serializers.DictField(
        child=serializers.CharField(max_length=FREE_ANSWER_MAX_LENGTH, allow_blank=True),
        help_text=_(
            "By question id: the answer's number (or the text of a free-text question); a "
            "question left out or blank was not answered."
        ),
    )

    def validate_answers(self, answers: dict) -> dict[int, str]:
        by_id = {}
        for key, value in answers.items():
            if not (key.isascii() and key.isdigit()) or not 0 < int(key) <= MAX_ID:
                raise serializers.ValidationError(_("Answers are keyed by question id."))
            by_id[int(key)] = value
        return by_id


class InterviewSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "id",
            "poll",
            "group",
            "location",
            "territory",
            "recorded_by",
            "recorded_at",
            "answers",
        ]
        read_only_fields = fields

    def get_answers(self, interview: Interview) -> int:
        """How many questions were answered."""
        return interview.responses.count()


class PollRefusalSerializer(serializers.Serializer):
    """What a poll cannot do in its state (a change once sent, closing a draft...)."""

    detail = serializers.CharField()
