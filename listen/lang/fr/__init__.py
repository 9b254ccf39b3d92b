"""French: the language pack, a small one (numbers, dates, times, money, abbreviations)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen
from . import rules

PACK = LanguagePack(
    code="fr",
    iso639_2="fra",
    name="français",
    normalizer=rules.language,
    months=tuple(rules.MONTHS),
    byline=Byline(
        "Par {}.", "Source : {}.", "{d} {m} {y}.", prefixes=("par",), source_words=("source",)
    ),
    date_words=frozenset(
        """mis à jour publié le h lundi mardi mercredi jeudi vendredi samedi dimanche""".split()
        + list(rules.MONTHS)
    ),
    abbreviations=frozenset(
        "m mme mlle dr pr me mgr etc env cf p. ex janv févr avr juil sept oct nov déc".split()
    ),
    noise=(r"\d+\s*(partages?|min(utes?)?\s+de\s+lecture)", r"écouter|partager|publicité"),
    labels=frozen({"caption": "Légende :", "quote": "Citation :"}),
    caption_mark="Légende",
    messages=frozen(
        {
            "listen": "Écouter",
            "playback": "Lecture",
            "play": "Lire",
            "pause": "Pause",
            "back": "Reculer de 15 secondes",
            "forward": "Avancer de 15 secondes",
            "position": "Position",
            "speed": "Vitesse",
            "next": "Suivant",
            "nextTitle": "Suivant : {title}",
            "chapters": "Chapitres",
            "transcript": "Transcription",
            "transcriptHint": "Choisissez une phrase pour lire à partir de là.",
            "queue": "File d'écoute",
            "played": "écouté",
            "caption": "Légende :",
            "of": "{pos} sur {total}",
            "loading": "Chargement…",
            "preparing": "Préparation de l'audio…",
            "ready": "Audio prêt.",
            "playing": "Lecture en cours",
            "paused": "En pause",
            "finished": "Terminé",
            "buffering": "Chargement de l'audio…",
            "chapter": "Chapitre : {title}",
            "resuming": "Reprise à {time}",
            "at": "À {time}",
            "rate": "Vitesse {rate}",
            "nowPlaying": "En cours : {title}",
            "noTranscript": (
                "La transcription n'est pas disponible pour cet article ; l'audio fonctionne."
            ),
            "audioError": "L'audio n'a pas pu être chargé.",
            "blocked": "Le navigateur n'a pas autorisé la lecture. Appuyez de nouveau sur Lire.",
            "network": "Impossible de joindre le service Listen.",
            "failed": "L'audio n'a pas pu être préparé : {reason}",
            "queueError": "La file n'a pas pu être chargée : {reason}",
            "nothing": "Rien à lire.",
        }
    ),
)
