from triage.engine.normalise import fold, squeeze, term_tokens, tokenise


def test_it_strips_accents_and_case():
    assert fold("Enlèvement à Oïcha") == "enlevement a oicha"


def test_it_shortens_stretched_letters_but_keeps_real_doubles():
    words = [t.norm for t in tokenise("tiiiiir attaque kuuawa")]
    assert words == ["tiir", "attaque", "kuuawa"]
    assert squeeze("tiir") == squeeze("tir") == "tir"


def test_it_expands_sms_abbreviations():
    tokens = tokenise("bcp de gens ds la brousse", {"bcp": ("beaucoup",), "ds": ("dans",)})
    assert [t.norm for t in tokens] == ["beaucoup", "de", "gens", "dans", "la", "brousse"]
    assert tokens[0].expanded_from == "bcp"


def test_it_splits_apostrophes_the_same_way_in_terms_and_messages():
    assert term_tokens("ng'ombe") == tuple(t.norm for t in tokenise("wameiba ng’ombe"))[1:]
