"""Each lexicon remembers, per word, the stem pattern it matches and the word its spelling
stands for (SMS words repeat a great deal); what it remembers never changes a reading."""

import json

import pytest

from triage.engine import analyse, has_priority1_evidence
from triage.engine import lexicon as lexicon_module
from triage.engine.lexicon import load_lexicon
from triage.engine.matching import correct_spelling
from triage.engine.normalise import tokenise

from .conftest import DEV_SET, FIELD_SET, HOLDOUT_SET


def test_each_lexicon_remembers_its_own_words():
    plain = load_lexicon()
    extended = load_lexicon(
        extra_entries=[{"term": "mawe*", "language": "sw", "categories": {"attack": 3}}]
    )
    assert plain.pattern_for("maweni") is None
    assert extended.pattern_for("maweni").core == "mawe"
    assert plain.pattern_for("maweni") is None  # asked again, from what it remembers
    assert extended.pattern_for("wameuawa").core == plain.pattern_for("wameuawa").core == "uawa"


def test_what_a_lexicon_remembers_is_bounded(monkeypatch):
    monkeypatch.setattr(lexicon_module, "WORD_MEMO_SIZE", 10)
    lexicon = load_lexicon()
    for n in range(25):
        lexicon.pattern_for(f"neno{n}")
        lexicon.respelling(f"masacre{n}")
        assert len(lexicon.word_memo) <= 10
    assert lexicon.pattern_for("wamechinjwa").core == "chinjwa"
    assert lexicon.respelling("masacre").word == "massacre"


def test_a_known_word_a_kept_word_and_a_verb_form_are_never_respelt():
    lexicon = load_lexicon()
    assert lexicon.respelling("massacre") is None  # a lexicon word
    assert lexicon.respelling("wamekuja") is None  # they came: a verb form, not "wamekufa"
    for word in lexicon.keep_words:
        assert lexicon.respelling(word) is None


def test_spelling_gives_back_the_same_tokens_when_it_changes_no_word():
    lexicon = load_lexicon()
    plain = tokenise("tirs a Mbau ce matin", lexicon.abbreviations)
    assert correct_spelling(plain, lexicon, set(), lexicon.all_function_words) is plain

    misspelt = tokenise("ils ont kidnaper 3 femmes", lexicon.abbreviations)
    read = correct_spelling(misspelt, lexicon, set(), lexicon.all_function_words)
    assert read is not misspelt
    assert [t.norm for t in misspelt] == ["ils", "ont", "kidnaper", "3", "femmes"]
    assert read[2].norm != "kidnaper" and read[2].spelled == "kidnaper"


@pytest.mark.parametrize("accented", [True, False])
def test_words_are_read_alike_with_or_without_accents(accented):
    text = (
        "Enlèvement à Oicha, les gens fuient" if accented else "Enlevement a Oicha, les gens fuient"
    )
    assert [t.norm for t in tokenise(text)] == ["enlevement", "a", "oicha", "les", "gens", "fuient"]


def test_a_text_reads_the_same_the_first_time_and_every_time_after(places):
    lexicon = load_lexicon()  # remembers nothing yet
    texts = [
        json.loads(line)["text"]
        for path in (DEV_SET, HOLDOUT_SET, FIELD_SET)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    first = [_reading(text, places, lexicon) for text in texts]
    assert lexicon.word_memo  # it did remember words
    assert [_reading(text, places, lexicon) for text in texts] == first


def _reading(text, places, lexicon) -> tuple:
    result = analyse(text, places, lexicon=lexicon)
    return (
        has_priority1_evidence(text, lexicon=lexicon),
        result.priority,
        result.categories,
        json.dumps(result.explanation, sort_keys=True, default=str),
    )
