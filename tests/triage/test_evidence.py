"""'Not an alert' only on evidence: pleas, bodies, greetings, unreadable texts, SMS spellings,
Swahili and Lingala verbs, negations and denials. Expected answers are written by hand."""

import pytest

from triage.engine import analyse
from triage.engine.spelling import max_distance, sound_key

PLEA = "plea without details: call back"
NOT_UNDERSTOOD = "not understood: read it"


def _rules(result):
    return result.explanation["priority"]["rules"]


@pytest.mark.parametrize(
    "text",
    [
        "Aide !",
        "au secours",
        "svp intervenez",
        "MSAADA",
        "Saidia",
        "tusaidie",
        "Lisalisi",
        "salisa",
        "bosalisa biso",
        "please help",
        "help",
    ],
)
def test_it_rates_a_plea_alone_priority_one_and_says_to_call_back(text, index):
    result = analyse(text, index)
    assert (result.priority, result.categories) == (1, ["other"])
    assert PLEA in _rules(result)


@pytest.mark.parametrize("text", ["Arrêtez !", "Acha!", "Simamisha", "Tika"])
def test_it_treats_a_stop_word_alone_as_a_plea(text, index):
    result = analyse(text, index)
    assert result.priority == 1
    assert PLEA in _rules(result)
    assert "a word that may be a cry for help, alone: a plea" in _rules(result)


def test_a_stop_word_inside_a_sentence_is_an_ordinary_verb(index):
    # "Let the child go to school": not a cry for help, and nothing else the engine reads.
    result = analyse("tika mwana akende kelasi na ntongo", index)
    assert result.priority != 1
    assert PLEA not in _rules(result)


def test_a_plea_with_an_event_is_rated_by_the_event(index):
    result = analyse("Au secours, ils tirent a Mbau", index)
    assert result.priority == 1 and result.categories[0] == "attack"


def test_aid_as_a_thing_given_is_not_a_plea(index):
    result = analyse("Distribution d'aide humanitaire demain, merci", index)
    assert result.priority == 4


@pytest.mark.parametrize(
    "text",
    [
        "Des corps retrouvés sur la route de Mbau",
        "4 morts ce matin",
        "cadavres au bord de la riviere",
        "Maiti mbili barabarani",
        "Miili ya watu imeonekana",
        "watu wawili wameuawa",
        "Bakufi bato misato",
        "bibembe na nzela",
        "Two bodies found near the market",
        "three people killed",
        "many dead",
    ],
)
def test_reports_of_dead_or_wounded_are_priority_one_in_every_language(text, index):
    result = analyse(text, index)
    assert result.priority == 1
    assert result.categories[0] == "attack"


@pytest.mark.parametrize(
    "text",
    [
        "Bjr a tous",
        "Merci bcp pour votre aide",
        "Ceci est un test",
        "Reunion du LPC demain a 10h a Mbau",
        "Svp envoyez moi du credit",
        "Habari za asubuhi",
        "Hii ni majaribio tu",
        "Kesho kuna mkutano wa kamati",
        "Tafadhali nitumieni vocha",
        "Mbote na bino",
        "Matondo mingi",
        "Tozali komeka telefone",
        "Hello, good morning",
        "Thank you for the training",
        "Meeting of the committee tomorrow in Beni",
        "Please send airtime",
    ],
)
def test_greetings_thanks_tests_meetings_and_credit_requests_are_priority_four(text, index):
    result = analyse(text, index)
    assert (result.priority, result.categories) == (4, ["other"])
    assert "greeting, test, thanks or request: not an alert" in _rules(result)


@pytest.mark.parametrize("text", ["kjhg lkjh", "", "???", "Mbau", "kibokoyo wamefika"])
def test_a_text_it_cannot_read_is_priority_two_to_be_read(text, index):
    result = analyse(text, index)
    assert (result.priority, result.categories) == (2, ["other"])
    assert NOT_UNDERSTOOD in _rules(result)


def test_a_greeting_does_not_make_an_unreadable_sentence_harmless(index):
    result = analyse("Bonjour, kibokoyo wamefika Kalunguta na nguvu", index)
    assert result.priority == 2
    assert NOT_UNDERSTOOD in _rules(result)
    assert "kibokoyo" in result.explanation["priority"]["reading"]["unread_words"]


def test_low_reliability_never_demotes_a_text_not_understood(index):
    result = analyse("kjhg lkjh", index, reporter_reliability=0.0)
    assert result.priority == 2
    assert "low reliability never demotes a text not understood" in _rules(result)


def test_sound_keys_meet_sms_spellings():
    assert sound_key("kidnappes") == sound_key("kidnaper")
    assert sound_key("massacre") == sound_key("masacre")
    assert sound_key("attaque") == sound_key("atake")
    assert sound_key("blesse") == sound_key("blesser")


def test_the_edit_budget_grows_with_the_word():
    assert [max_distance(n) for n in (3, 4, 5, 7, 8, 12)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ns sommes attake mnt", "attack"),
        ("ils ont kidnaper 3 femmes", "abduction"),
        ("Masacre a Drodro", "attack"),
        ("Blesé par balle a Rubare", "attack"),
        ("Pillage des boutik a Kirumba", "looting"),
        ("Kidnaping de 3 persones", "abduction"),
    ],
)
def test_it_reads_sms_spellings_of_lexicon_words(text, category, index):
    assert analyse(text, index).categories[0] == category


def test_sms_spelling_completes_a_phrase(index):
    result = analyse("Au secour", index)
    term = result.explanation["terms"][0]
    assert term["normalised"] == "au secours" and term["match"] == "fuzzy"
    assert result.priority == 1


@pytest.mark.parametrize(
    "text",
    [
        "la tension monte",  # "monte" is one changed letter from "morte"
        "la balle de foot",  # "balle" is one letter from "balles"
        "wamekuja wamebaki nyumbani",  # came / stayed, not died / raped
    ],
)
def test_close_everyday_words_do_not_collide_with_lexicon_words(text, index):
    result = analyse(text, index)
    assert "attack" not in result.categories and "sexual_violence" not in result.categories
    assert result.priority != 1


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("wameuliwa", "attack"),
        ("waliuawa jana", "attack"),
        ("aliyeuawa", "attack"),
        ("wamewaua wakulima", "attack"),
        ("wamechinjwa", "attack"),
        ("zimechomwa", "attack"),
        ("wameshambulia kijiji", "attack"),
        ("wamepiga risasi", "attack"),
        ("walimteka mwalimu", "abduction"),
        ("alibakwa", "sexual_violence"),
        ("yameporwa", "looting"),
        ("wameibiwa", "looting"),
        ("wanakimbilia msituni", "displacement"),
        ("babomaki bato", "attack"),
        ("abomami", "attack"),
        ("bazikisi ndako", "attack"),
        ("bakangami", "abduction"),
        ("bayibaki bangombe", "looting"),
        ("bakimeli", "displacement"),
        ("basoda babetaki masasi", "attack"),
        ("basangisaki nzoto na makasi", "sexual_violence"),
    ],
)
def test_it_reads_swahili_and_lingala_verb_forms_by_their_stem(text, category, index):
    assert analyse(text, index).categories[0] == category


def test_a_verb_that_needs_a_word_does_not_match_without_it(index):
    # "kobeta lisolo" is to chat; "kobeta masasi" to shoot.
    assert "attack" not in analyse("tobetaki lisolo na baninga", index).categories


def test_the_explanation_shows_how_a_verb_was_cut(index):
    term = analyse("wameuliwa", index).explanation["terms"][0]
    assert term["match"] == "verb:wa-me-u-liwa"


@pytest.mark.parametrize(
    "text",
    [
        "Pas d'attaque a Mbau, la situation est calme",
        "Il n'y a pas eu de tirs a Oicha",
        "aucun mort a Eringeti",
        "Ce n'est qu'une rumeur, ils ont attaque personne",
        "L'attaque de Kamango c'est faux",
        "Hakuna shambulio Mutwanga",
        "Hakuna mtu aliyeuawa Rubare",
        "hawajatekwa",
        "Habari za mauaji Kasindi si kweli",
        "Uvumi wa mashambulizi ni uongo",
        "Bato babomi te",
        "bazali kobeta masasi te",
        "Sango ya bitumba ezali lokuta",
        "No attack in Kirumba",
        "Nobody was killed in Rutshuru",
        "The rumour of killings is false",
    ],
)
def test_a_negated_or_denied_event_is_not_evidence(text, index):
    result = analyse(text, index)
    assert result.priority == 4, _rules(result)
    assert result.categories == ["other"]
    assert all(t["negated"] for t in result.explanation["terms"] if t["categories"])


def test_ne_before_and_personne_after_negate_the_verb(index):
    result = analyse("Ils n'ont tué personne mais ont pillé le marché", index)
    assert result.categories == ["looting"] and result.priority == 2


def test_personne_after_a_killing_without_ne_does_not_negate_it(index):
    assert analyse("3 tués, personne n'est venu", index).priority == 1


def test_a_denial_next_to_urgency_is_set_aside(index):
    result = analyse("C'est faux, ils tirent encore maintenant a Kitshanga", index)
    assert result.priority == 1
    assert "denial ignored: urgency or a plea in the same text" in _rules(result)
