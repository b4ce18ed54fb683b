import pytest

from triage.engine import analyse, load_lexicon


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Des hommes armes ont tue 3 personnes", "attack"),
        ("Ils ont enleve deux commercants", "abduction"),
        ("Wasichana wawili wamebakwa na wanamgambo", "sexual_violence"),
        ("Vol de betail par des bandits cette nuit", "looting"),
        ("Bato ebele bazali kokima", "displacement"),
        ("Leaflets telling the Hema to leave", "hate_speech"),
        ("Mzozo wa ardhi kati ya jamii mbili", "intercommunal_tension"),
        ("Wanamgambo wameonekana karibu na mto", "armed_presence"),
    ],
)
def test_it_finds_the_main_category_in_each_language(text, category, index):
    assert analyse(text, index).categories[0] == category


def test_it_returns_several_categories_main_first(index):
    result = analyse("les ADF ont brule des maisons et les gens fuient", index)
    assert result.categories[0] == "attack"
    assert "displacement" in result.categories


def test_it_falls_back_to_other_when_nothing_matches(index):
    assert analyse("ok merci", index).categories == ["other"]


def test_harm_outranks_the_armed_men_who_did_it(index):
    result = analyse("Des hommes armes ont pille le marche", index)
    assert result.categories[:2] == ["looting", "armed_presence"]


def test_a_rumoured_attack_is_armed_presence_not_an_attack(index):
    result = analyse("rumeur d'attaque sur le village", index)
    assert result.categories == ["armed_presence"]
    assert result.priority == 2


def test_it_matches_misspelt_long_words_fuzzily(index):
    result = analyse("massakre au village", index)
    assert result.categories[0] == "attack"
    term = result.explanation["terms"][0]
    assert term["match"] == "fuzzy" and term["score"] >= 85


def test_it_matches_stretched_letters(index):
    assert analyse("ils tiiiiirent partout", index).categories[0] == "attack"


def test_it_matches_swahili_verb_forms_by_stem(index):
    for text in ("watu watatu wameuawa", "watu watatu waliuawa", "wamewateka nyara wanawake"):
        assert analyse(text, index).priority == 1, text


def test_short_words_never_fuzz_match(index):
    # "balle" scores 91 against "balles" (shooting): too short to trust a near miss.
    assert analyse("la balle de foot", index).explanation["terms"] == []


def test_fuzzy_matching_keeps_the_first_letter(index):
    # "pension" scores 86 against "tension".
    assert analyse("la pension des enseignants", index).categories == ["other"]


def test_a_negated_term_is_not_counted(index):
    result = analyse("pas de tirs, la situation est calme", index)
    assert result.categories == ["other"]
    assert result.explanation["terms"][0]["negated"] is True


def test_the_keypad_hint_decides_when_the_text_says_nothing(index):
    result = analyse("", index, hint_category="abduction")
    assert result.categories == ["abduction"]
    assert result.priority == 1


def test_admin_entries_extend_the_lexicon(index):
    lexicon = load_lexicon(
        extra_entries=[
            {
                "term": "wamerusha mawe",
                "language": "sw",
                "categories": {"attack": 3},
                "signals": ["life"],
            },
        ]
    )
    assert analyse("wamerusha mawe", index).categories == ["other"]
    assert analyse("wamerusha mawe", index, lexicon=lexicon).categories == ["attack"]


def test_admin_entries_with_unknown_codes_are_refused():
    with pytest.raises(ValueError, match="unknown categories"):
        load_lexicon(extra_entries=[{"term": "x", "categories": ["riot"]}])


def test_lexicon_words_that_yaml_would_read_as_booleans_stay_words():
    lexicon = load_lexicon()
    assert {"no", "not"} <= lexicon.negators
    assert "on" in lexicon.function_words["fr"]


def test_it_maps_risk_factors(index):
    result = analyse("Tracts appelant a exterminer les Hema", index)
    assert {"RF7", "RF9", "RF10"} <= set(result.risk_factors)
    result = analyse("Les militaires ont pille le centre de sante", index)
    assert {"RF3", "RF13"} <= set(result.risk_factors)
    result = analyse("massacre a Beni, 12 morts", index)
    assert "RF11" in result.risk_factors


def test_common_words_close_to_lexicon_words_are_protected(index):
    # "eleves" (pupils) is one letter from "enleves" (abducted).
    assert analyse("les eleves sont a l'ecole", index).categories == ["other"]
