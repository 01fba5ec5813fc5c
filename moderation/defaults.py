"""The starting safety lists (seeded by a data migration and by seed_demo).

The crisis list is deliberately short and serious: a match shows the author the circle's
crisis resources and alerts the facilitators, so false alarms matter too. The blocked
words are a few unambiguous slurs; staff add more in the admin.
"""

CRISIS_PHRASES = {
    "en": [
        "kill myself",
        "killing myself",
        "end my life",
        "ending my life",
        "take my own life",
        "suicide",
        "suicidal",
        "don't want to be alive",
        "do not want to be alive",
        "want to die",
        "hurt myself",
        "hurting myself",
        "self harm",
    ],
    "es": ["suicidarme", "quitarme la vida", "quiero morir", "no quiero vivir"],
    "fr": ["me suicider", "mettre fin à mes jours", "envie de mourir"],
    "de": ["mich umbringen", "nicht mehr leben", "suizid"],
}
BLOCKED_WORDS = ["nigger", "niggers", "faggot", "faggots", "kike", "kikes", "tranny", "trannies"]


def seed_lists(CrisisPhrase, BlockedWord) -> int:
    """Add any missing default; never re-activates one staff switched off. Returns how many
    were added."""
    created = 0
    for language, phrases in CRISIS_PHRASES.items():
        for phrase in phrases:
            created += CrisisPhrase.objects.get_or_create(phrase=phrase, language=language)[1]
    for word in BLOCKED_WORDS:
        created += BlockedWord.objects.get_or_create(word=word)[1]
    return created


def ensure_safety_defaults() -> int:
    from moderation.models import BlockedWord, CrisisPhrase

    return seed_lists(CrisisPhrase, BlockedWord)
