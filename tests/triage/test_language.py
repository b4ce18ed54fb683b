import pytest

from triage.engine import analyse


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("watu wenye silaha wameingia kijijini usiku huu", "sw"),
        ("Tunaomba msaada, nyumba zimechomwa na watu wengi wamekimbia", "sw"),
        ("bato ya mondoki bazali kobeta masasi na mboka", "ln"),
        ("Bato bazali kokima, basoda bakoti", "ln"),
        ("ns avons vu bcp de militaires ds le village", "fr"),
        ("les gens fuient a cause des tirs", "fr"),
        ("armed men are moving towards the village", "en"),
    ],
)
def test_it_detects_each_language_without_accents(text, language, index):
    assert analyse(text, index).language == language


def test_it_detects_swahili_without_accents(index):
    assert analyse("Wamewateka watoto shambani jana usiku", index).language == "sw"


def test_it_says_undetermined_when_nothing_is_recognised(index):
    assert analyse("ok", index).language == "und"
    assert analyse("", index).language == "und"
