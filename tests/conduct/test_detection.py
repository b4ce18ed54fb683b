"""Which SMS are reports of sexual exploitation or abuse by peacekeepers, in the four
languages: a table written by hand of texts that must go to conduct and texts that must not."""

import json
from pathlib import Path

import pytest

from conduct.detection import reports_peacekeeper_abuse

ROUTED = [
    # French
    "Les casques bleus ont violé une fille à Mbau hier soir",
    "Un soldat de l'ONU a abusé d'une fille de 14 ans près du camp",
    "Des militaires de la MONUSCO exigent du sexe contre de la nourriture",
    "MONUSCO: un militaire a mis enceinte une élève de Kanyabayonga",
    "des soldats de l’ONU violent les femmes qui vont au champ",
    # Swahili
    "Walinda amani wamebaka msichana karibu na kambi",
    "Askari wa UN walimbaka mwanamke jana usiku",
    "Wanajeshi wa MONUSCO wananyanyasa wasichana kingono",
    "askari wa umoja wa mataifa wamempa mimba mwanafunzi",
    # Lingala
    "Basoda ya MONUSCO babebisi mwana mwasi na Mbau",
    "Ba casques bleus ba violer bana basi na zamba",
    "Basoda ya ONU basangisi nzoto na mwana mwasi na makasi",
    # English
    "UN soldiers raped two women near the camp",
    "Peacekeepers are sexually exploiting girls for food",
    "A PEACEKEEPER sexually abused a child in Oicha",
]

NOT_ROUTED = [
    # An ordinary attack, abuse by others, peacekeepers doing their work.
    "Des hommes armés ont attaqué Mbau, trois morts",
    "Patrouille de la MONUSCO arrivée à Mbau",
    "Les ADF ont violé deux femmes à Oicha",
    "Les casques bleus ont protégé la population cette nuit",
    "Violence à Beni, la MONUSCO est présente",
    "Askari wa MONUSCO wamefika Mbau",
    "Watu wenye silaha wamebaka wanawake Oicha",
    "Basoda ya MONUSCO bakomi na Mbau",
    "Bato ya mindoki babomi bato misato na Mbau",
    "MONUSCO patrol arrived in Mbau",
    "Armed men attacked the village and raped women",
    "Peacekeepers escorted displaced people to the camp",
    # Far apart in a long message: the abuse is not said of the peacekeepers.
    "Les ADF ont violé des femmes hier soir à Oicha et ont brûlé des maisons et volé les chèvres"
    " du chef; ce matin après trois heures de route la MONUSCO est arrivée",
    "",
]


@pytest.mark.parametrize("text", ROUTED)
def test_it_recognises_abuse_by_peacekeepers(text):
    assert reports_peacekeeper_abuse(text) is True


@pytest.mark.parametrize("text", NOT_ROUTED)
def test_it_leaves_other_texts_alone(text):
    assert reports_peacekeeper_abuse(text) is False


def test_no_alert_of_the_triage_corpora_is_taken_from_the_analysts():
    """The labelled alerts (none reports abuse by peacekeepers; some name MONUSCO) all stay in
    the general queue."""
    data = Path(__file__).resolve().parent.parent / "triage" / "data"
    lines = [
        json.loads(line)
        for path in sorted(data.glob("alerts-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(lines) > 200
    assert [row["text"] for row in lines if reports_peacekeeper_abuse(row["text"])] == []
