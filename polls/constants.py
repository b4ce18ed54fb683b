"""Limits of polls, in one place."""

import datetime as dt

LANGUAGES = ("fr", "sw", "ln", "en")
# How long a recipient may take to answer a question before their conversation closes.
CONVERSATION_TTL = dt.timedelta(days=7)
# How often each process asks the database whether any poll is open (intake skips polls
# entirely while none is).
OPEN_FLAG_SECONDS = 15
MAX_QUESTIONS = 10
MAX_CHOICES = 9
QUESTION_MAX_LENGTH = 320
CHOICE_MAX_LENGTH = 60
TITLE_MAX_LENGTH = 200
# A free answer recorded in the field: as long as the longest SMS (ten segments).
FREE_ANSWER_MAX_LENGTH = 1600

# The respondents' groups results are broken down by.
GROUPS = ("women", "youth", "men", "elders", "displaced")
