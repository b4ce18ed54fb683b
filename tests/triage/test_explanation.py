import json

from triage.engine import Analysis, analyse


def test_the_explanation_is_json_and_covers_every_decision(index, place_named):
    result = analyse(
        "Alerte!! hommes armes ADF entres a Mbawu, on tire",
        index,
        reporter_home=place_named("Beni"),
        reporter_reliability=0.2,
    )
    assert isinstance(result, Analysis)
    explanation = json.loads(json.dumps(result.explanation))
    assert {"language", "categories", "risk_factors", "priority", "place", "terms"} <= set(
        explanation
    )
    term = next(t for t in explanation["terms"] if t["normalised"] == "on tire")
    assert term["entry"] == "on tire" and term["match"] == "exact" and term["score"] == 100
    assert explanation["categories"]["scores"]["attack"] >= 3
    assert explanation["language"]["scores"]["fr"] > 0
    assert explanation["priority"]["value"] == 1
    assert explanation["place"]["matches"][0]["gazetteer_name"] == "Mbawu"
    assert explanation["risk_factors"]["because"]["RF1"]
