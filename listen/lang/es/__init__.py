"""Spanish: the language pack (rules in ``rules``, number words in ``numbers``)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen, messages
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
        prefixes=("por", "de", "escrito por", "texto de"),
        source_words=("fuente", "fuentes"),
        and_=" y ",
        and_before_i=" e ",
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
    messages=messages(__file__),
)
