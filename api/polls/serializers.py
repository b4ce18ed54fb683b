from rest_framework import serializers

from polls.models import Choice, Poll, Question


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

    class Meta:
        model = Poll
        fields = ["id", "title", "status", "previous_round", "sent_at", "closed_at", "questions"]
