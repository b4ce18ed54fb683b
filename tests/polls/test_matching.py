"""How an SMS reads as an answer, written out by hand: numbers with the punctuation people
put around them, letters, yes and no in French, Swahili, Lingala and English, and what is no
answer at all (it then goes through intake like any other text)."""

import pytest

from polls.matching import Match, answer_match

CASES = [
    # (kind, number of answers, text, expected answer number or None for no answer)
    ("choice", 3, "2", 2),
    ("choice", 3, "2.", 2),
    ("choice", 3, " 2 ", 2),
    ("choice", 3, "2)", 2),
    ("choice", 3, "B", 2),
    ("choice", 3, "b.", 2),
    ("choice", 3, "c", 3),
    ("choice", 3, "1", 1),
    ("choice", 3, "4", None),  # no fourth answer
    ("choice", 3, "d", None),
    ("choice", 3, "0", None),
    ("choice", 3, "oui", None),  # yes and no only for yes-or-no questions
    ("choice", 3, "2 hommes armés", None),  # a sentence is no answer
    ("choice", 3, "22", None),
    ("choice", 3, "", None),
    ("yes_no", 2, "oui", 1),
    ("yes_no", 2, "Oui.", 1),
    ("yes_no", 2, "NDIYO", 1),
    ("yes_no", 2, "iyo", 1),
    ("yes_no", 2, "yes", 1),
    ("yes_no", 2, "non", 2),
    ("yes_no", 2, "Hapana!", 2),
    ("yes_no", 2, "te", 2),
    ("yes_no", 2, "no", 2),
    ("yes_no", 2, "1", 1),
    ("yes_no", 2, " 2 ", 2),
    ("yes_no", 2, "B", 2),
    ("yes_no", 2, "3", None),
    ("yes_no", 2, "peut-être", None),
    ("yes_no", 2, "non, ils ont tiré hier", None),
]


@pytest.mark.parametrize("kind, count, body, expected", CASES)
def test_an_sms_reads_as_the_answer_written_here(kind, count, body, expected):
    match = answer_match(kind=kind, choice_count=count, body=body)
    assert (match.number if match else None) == expected


def test_a_free_text_question_takes_any_text_stripped_and_nothing_empty():
    assert answer_match(kind="text", choice_count=0, body="  La paix revient ") == Match(
        number=None, text="La paix revient"
    )
    assert answer_match(kind="text", choice_count=0, body="   ") is None
