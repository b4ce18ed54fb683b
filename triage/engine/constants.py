"""Every threshold the engine uses, in one place so they can be read and tuned together."""

LANGUAGES = ("fr", "sw", "ln", "en")
UNDETERMINED = "und"

# The categories and risk factors themselves are core.taxonomy's.

# Harm done to people or property outranks who was seen or what was said: armed men who
# shoot make an attack, not an "armed presence".
EVENT_CATEGORIES = ("attack", "abduction", "sexual_violence", "looting")
# A threat to the reporter comes first among them: it is about the person who must be kept safe.
CONTEXT_CATEGORIES = (
    "threat_to_informant",
    "armed_presence",
    "displacement",
    "hate_speech",
    "intercommunal_tension",
)
# Tie-break between equal scores: the more dangerous reading first.
SEVERITY_ORDER = EVENT_CATEGORIES + CONTEXT_CATEGORIES + ("other",)

# A category is kept when its summed weight reaches this.
MIN_CATEGORY_SCORE = 1.0
# Weight added to the category pressed on the voice keypad.
HINT_WEIGHT = 1.5

# Priority before urgency rules (1 = threat to life now ... 4 = not an alert).
BASE_PRIORITY = {
    "attack": 1,
    "abduction": 1,
    "armed_presence": 2,
    "sexual_violence": 2,
    "displacement": 2,
    "looting": 2,
    "hate_speech": 2,
    "intercommunal_tension": 3,
    # Whoever threatens a focal point for reporting may act before anyone can protect them.
    "threat_to_informant": 1,
    "other": 4,
}
# Categories that an "happening now" signal lifts to priority 1.
URGENCY_PROMOTES = ("armed_presence", "sexual_violence", "displacement", "looting")
# A run of this many "!" counts as an urgency signal.
EXCLAMATION_RUN = 3
# Below this reliability a priority 2 or 3 alert drops one level (never a priority 1).
LOW_RELIABILITY = 0.4

# SMS spellings of lexicon words (see ``spelling.py``). A word of 4 letters or more may meet a
# lexicon word by its sound key; from 5 letters it may also be a few edits away: 1 edit up to
# 7 letters, 2 from 8. Shorter words never fuzz: one wrong letter in a short word is another
# word more often than a misspelling.
SOUND_KEY_MIN_LEN = 4
FUZZY_MIN_LEN = 5
FUZZY_DISTANCES = ((5, 1), (8, 2))
# Place names (rapidfuzz ``fuzz.ratio``, 0-100).
FUZZY_PLACE_MIN_LEN = 5
FUZZY_PLACE_CUTOFF = 85.0
FUZZY_MAX_LEN_DIFF = 1
# Wildcard lexicon entries ("pill*", "*uawa") need this many literal letters.
MIN_PATTERN_CORE = 4
# Tokens between a negator ("pas de", "hakuna", "no") and the term it cancels; only filler
# words may stand between them ("il n'y a pas EU D'attaque", "no ONE WAS killed").
NEGATION_WINDOW = 4
# Tokens between a term and a negator written after it (Lingala "babomi bato te").
POST_NEGATION_WINDOW = 3
# Tokens between a verb and the word it needs ("kobeta ... masasi", "kosangisa nzoto").
VERB_NEEDS_WINDOW = 3
# Unread words tolerated beside evidence that a text is not an alert: a greeting or a test
# may come with a word the lexicons lack ("Pls send airtime"); "Bonjour" before a sentence
# the engine cannot read does not make that sentence harmless. One more word per further
# piece of evidence.
NOT_ALERT_UNREAD_ALLOWANCE = 1
NOT_ALERT_UNREAD_PER_EVIDENCE = 1
# Language votes: a function word, a lexicon term, a morphology pattern.
FUNCTION_WORD_VOTE = 1.0
TERM_VOTE = 1.0
MORPHOLOGY_VOTE = 0.5
# The winning language must lead the runner-up by this much, else "und".
LANGUAGE_MIN_SCORE = 1.0
LANGUAGE_MIN_MARGIN = 0.5

# Risk factors every alert of a category carries, on top of those its terms name.
CATEGORY_RISK_FACTORS = {
    "attack": ("RF1", "RF13"),
    "abduction": ("RF13",),
    "sexual_violence": ("RF13",),
    "armed_presence": ("RF1",),
    "displacement": ("RF1",),
    "looting": ("RF1",),
    "hate_speech": ("RF9",),
    "intercommunal_tension": ("RF9",),
    "threat_to_informant": ("RF13",),
}
# This many dead or wounded in one message is a sign of a widespread attack (RF11).
MASS_CASUALTIES = 5
# Tokens allowed between a number and the casualty word it counts ("10 personnes tuees").
CASUALTY_COUNT_WINDOW = 3
