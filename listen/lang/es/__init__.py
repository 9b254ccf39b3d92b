"""Spanish: the language pack (rules in ``rules``, number words in ``numbers``)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen
from . import rules

PACK = LanguagePack(
    code="es",
    iso639_2="spa",
    name="español",
    normalizer=rules.language,
    months=tuple(rules.MONTH_NUMBERS.values()),
    byline=Byline(
        "Por {}.",
        "Fuente: {}.",
        "{d} de {m} de {y}.",
        prefixes=("por", "de"),
        source_words=("fuente", "fuentes"),
    ),
    date_words=frozenset(
        """actualizado publicado de del a las am pm a.m p.m gmt utc cet h hrs lunes martes
        miércoles jueves viernes sábado domingo ene feb mar abr may jun jul ago sep sept set oct
        nov dic""".split()
    ),
    abbreviations=frozenset(
        """sr sra srta dr dra lic ing gral ee.uu p. ej ej núm pág art av ene feb mar abr may jun
        jul ago sept sep oct nov dic uds ud etc avda tel dña sto sta pdte""".split()
    ),
    noise=(r"\d+\s*(compartidos|min\s+de\s+lectura)", r"publicidad|escuchar|compartir"),
    labels=frozen({"caption": "Pie de foto:", "quote": "Cita:"}),
    caption_mark="Pie de foto",
    messages=frozen(
        {
            "listen": "Escuchar",
            "playback": "Reproducción",
            "play": "Reproducir",
            "pause": "Pausa",
            "back": "Atrás 15 segundos",
            "forward": "Adelante 15 segundos",
            "position": "Posición",
            "speed": "Velocidad",
            "next": "Siguiente",
            "nextTitle": "Siguiente: {title}",
            "chapters": "Capítulos",
            "transcript": "Transcripción",
            "transcriptHint": "Elija una frase para reproducir desde ahí.",
            "queue": "Cola de escucha",
            "played": "escuchado",
            "caption": "Pie de foto:",
            "of": "{pos} de {total}",
            "loading": "Cargando…",
            "preparing": "Preparando el audio…",
            "ready": "Audio listo.",
            "playing": "Reproduciendo",
            "paused": "En pausa",
            "finished": "Terminado",
            "buffering": "Cargando el audio…",
            "chapter": "Capítulo: {title}",
            "resuming": "Se reanuda en {time}",
            "at": "En {time}",
            "rate": "Velocidad {rate}",
            "nowPlaying": "Ahora: {title}",
            "noTranscript": (
                "La transcripción no está disponible para este artículo; el audio sí se reproduce."
            ),
            "audioError": "No se pudo cargar el audio.",
            "blocked": "El navegador no permitió la reproducción. Pulse Reproducir de nuevo.",
            "network": "No se pudo conectar con el servicio Listen.",
            "failed": "No se pudo preparar el audio: {reason}",
            "queueError": "No se pudo cargar la cola: {reason}",
            "nothing": "No hay nada que reproducir.",
        }
    ),
)
