from triage.engine import Place, PlaceIndex, analyse


def test_it_matches_kitchanga_to_kitshanga(index):
    assert analyse("Tirs a Kitchanga", index).place.name == "Kitshanga"


def test_it_matches_alternate_spellings(index):
    assert analyse("les ADF sont a mbawu", index).place.name == "Mbau"
    assert analyse("mapigano Oïcha", index).place.name == "Oicha"


def test_it_matches_misspelt_place_names_fuzzily(index):
    result = analyse("Attaque a Eringheti", index)
    assert result.place.name == "Eringeti"
    match = result.explanation["place"]["matches"][0]
    assert match["match"] == "fuzzy" and match["score"] >= 85


def test_it_matches_multi_word_names(index):
    result = analyse("attaque dans la plaine savo", index)
    assert result.place.name == "Savo"
    assert result.explanation["place"]["matches"][0]["text"] == "plaine savo"


def test_the_first_place_named_is_the_event_place(index):
    assert analyse("Les gens fuient Mambasa vers Komanda", index).place.name == "Mambasa"
    assert analyse("Deplaces arrivent a Komanda depuis Mambasa", index).place.name == "Komanda"


def test_a_shared_name_resolves_to_the_entry_nearest_the_reporter(place_named):
    far = Place(id=900, name="Kalehe", latitude=0.9, longitude=29.9)
    near = place_named("Kalehe")
    index = PlaceIndex([far, near, place_named("Bukavu"), place_named("Boga")])
    assert analyse("tirs a Kalehe", index, reporter_home=place_named("Bukavu")).place == near
    assert analyse("tirs a Kalehe", index, reporter_home=place_named("Boga")).place == far


def test_it_falls_back_to_the_reporters_home(index, place_named):
    home = place_named("Butembo")
    result = analyse("ils tirent partout", index, reporter_home=home)
    assert (result.place, result.place_is_fallback) == (home, True)
    named = analyse("ils tirent a Beni", index, reporter_home=home)
    assert (named.place.name, named.place_is_fallback) == ("Beni", False)


def test_no_place_and_no_home_gives_none(index):
    result = analyse("ils tirent partout", index)
    assert (result.place, result.place_is_fallback) == (None, False)


def test_short_common_words_never_fuzz_match_places(index):
    assert analyse("tout va bien", index).place is None  # "bien" is not Beni
    assert analyse("la route est bonne", index).place is None


def test_a_place_named_like_a_common_word_needs_a_capital():
    index = PlaceIndex([Place(id=1, name="Kati"), Place(id=2, name="Beni")])
    assert analyse("risasi kati ya vijiji", index).place is None
    assert analyse("risasi Kati", index).place.id == 1


def test_a_plain_list_of_places_works_too(places):
    assert analyse("Tirs a Bunagana", places).place.name == "Bunagana"


def test_an_exact_name_beats_an_earlier_lowercase_near_miss():
    index = PlaceIndex([Place(id=1, name="Shari"), Place(id=2, name="Kiwanja")])
    result = analyse("hali ni shwari Kiwanja", index)
    assert result.place.id == 2
    assert analyse("tirs a Sharri", index).place.id == 1
