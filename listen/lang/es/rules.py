"""Spanish: written news text to the words a newsreader says.

Choices a listener will notice:

* Numbers use the comma for decimals and the point (or a thin space) for
  thousands: "4.500" -> "cuatro mil quinientos", "1,2 millones" -> "uno coma
  dos millones". Regions that write decimals with a point (es-MX, es-US,
  Central America, the Caribbean) are read that way.
* Numbers agree with the noun after them: "1 dólar" -> "un dólar",
  "21 millones" -> "veintiún millones", "200 personas" -> "doscientas
  personas"; a number that ends a phrase stays "uno".
* Years and dates: "18 de feb. de 2025" -> "dieciocho de febrero de dos mil
  veinticinco"; month abbreviations ("mar") only count next to a day.
* Times: "15:00" -> "quince horas", "15:30" -> "quince treinta", "09:30" ->
  "nueve y media"; "5 p. m." -> "cinco de la tarde".
* Money: "$220 millones" -> "doscientos veinte millones de dólares"
  ("pesos" where "$" means pesos); "4,5 €" -> "cuatro coma cinco euros".
* Roman numerals: "siglo XXI" -> "siglo veintiuno", "Felipe VI" -> "Felipe
  sexto", "Benedicto XVI" -> "Benedicto dieciséis", "II Guerra Mundial" ->
  "Segunda Guerra Mundial".
* Initialisms read as words in Spanish ("OTAN", "ONU", "CIA") are left to
  be read as words; others are dotted ("FMI" -> "F.M.I.") so they are spelled.
"""

from __future__ import annotations

import re
from functools import cache

from ..common import (
    NAME_AHEAD,
    Language,
    Step,
    alternation,
    dotted,
    keep_final_dot,
    leftover_digits,
    long_numbers,
    parse_number,
    phone_rule,
    post_clean_rules,
    roman_value,
    rule,
    split_camel,
    web_rules,
)
from . import numbers as num

#: Regions that write "1.5" for one and a half.
POINT_DECIMAL_REGIONS = frozenset({"MX", "US", "GT", "HN", "SV", "NI", "PA", "DO", "PR"})
#: Regions where "$" means the local peso.
PESO_REGIONS = frozenset({"MX", "AR", "CL", "CO", "UY", "DO", "CU"})
#: Regions that say "primero de mayo" for the first of the month.
PRIMERO_REGIONS = frozenset(
    {"419", "MX", "AR", "CL", "CO", "PE", "VE", "UY", "US", "CU", "EC", "BO", "PY"}
)

MONTHS = {
    m[:3]: m
    for m in (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    ).split()
}
MONTHS.update({"sept": "septiembre", "set": "septiembre", "setiembre": "septiembre"})
MONTH_NUMBERS = {
    i + 1: m for i, m in enumerate(dict.fromkeys(v for k, v in MONTHS.items() if k != "set"))
}

ABBREVIATIONS = {
    "EE.UU.": "Estados Unidos", "EE. UU.": "Estados Unidos", "EEUU": "Estados Unidos",
    "EE UU": "Estados Unidos", "FF.AA.": "Fuerzas Armadas",
    "CC.AA.": "comunidades autónomas", "RR.HH.": "recursos humanos",
    "JJ.OO.": "Juegos Olímpicos", "CC.OO.": "Comisiones Obreras",
    "p. ej.": "por ejemplo", "p.ej.": "por ejemplo", "etc.": "etcétera",
    "aprox.": "aproximadamente", "vs.": "contra",
    "a. C.": "antes de Cristo", "a.C.": "antes de Cristo",
    "d. C.": "después de Cristo", "d.C.": "después de Cristo", "S.A.": "sociedad anónima",
    "S.L.": "sociedad limitada", "Cía.": "compañía", "Hnos.": "hermanos",
    "admón.": "administración", "dcha.": "derecha", "izq.": "izquierda",
    "máx.": "máximo", "mín.": "mínimo", "Avda.": "avenida", "Av.": "avenida", "c/": "calle",
    "tel.": "teléfono", "depto.": "departamento",
    "Ud.": "usted", "Uds.": "ustedes", "Vd.": "usted", "Vds.": "ustedes",
    "mdd": "millones de dólares", "mdp": "millones de pesos",
    "Pza.": "plaza", "Plza.": "plaza", "Ctra.": "carretera", "ctra.": "carretera",
    "Ayto.": "ayuntamiento", "Fdo.": "firmado", "s/n": "sin número", "Univ.": "universidad",
    "Gob.": "gobierno", "dpto.": "departamento", "Dpto.": "departamento", "Depto.": "departamento",
    "q.e.p.d.": "que en paz descanse", "Atte.": "atentamente", "Ltda.": "limitada",
    "S.M.": "su majestad", "SS.MM.": "sus majestades", "ej.": "ejemplo", "Sdad.": "sociedad",
    "Asoc.": "asociación", "Adm.": "administración", "Mtro.": "maestro", "Mtra.": "maestra",
    "Pdo.": "pasado", "ppal.": "principal", "Ppal.": "principal", "prov.": "provincia",
    "Prov.": "provincia", "Col.": "colonia", "Edo.": "estado", "Mpio.": "municipio",
    "Bº": "barrio", "Urb.": "urbanización", "Excmo.": "excelentísimo",
    "Excma.": "excelentísima", "Sres.": "señores", "Vda.": "viuda", "Nro.": "número",
    "aprox": "aproximadamente", "Dir.": "director", "Pte.": "presidente",
}  # fmt: skip

#: Said in full before a capitalised name ("Sr. García", "Dra. Pérez").
TITLES = {
    "Sr": "señor", "Sra": "señora", "Srta": "señorita", "Sres": "señores", "Dr": "doctor",
    "Dra": "doctora", "Lic": "licenciado", "Lda": "licenciada", "Ldo": "licenciado",
    "Ing": "ingeniero", "Prof": "profesor", "Profa": "profesora", "Gral": "general",
    "Cnel": "coronel", "Tte": "teniente", "Sto": "santo", "Sta": "santa", "Dña": "doña",
    "Excmo": "excelentísimo", "Excma": "excelentísima", "Mons": "monseñor",
    "Pdte": "presidente", "Pdta": "presidenta", "Sgto": "sargento", "Cap": "capitán",
    "prof": "profesor", "profa": "profesora", "sr": "señor", "sra": "señora", "dr": "doctor",
    "dra": "doctora", "Arq": "arquitecto", "Mag": "magistrado", "Dip": "diputado",
    "Sen": "senador", "Gob": "gobernador", "Pbro": "presbítero", "Fray": "fray",
}  # fmt: skip

BEFORE_NUMBER = {
    "n.º": "número", "nº": "número", "n.°": "número", "núm.": "número", "No.": "número",
    "#": "número", "pág.": "página", "págs.": "páginas", "art.": "artículo", "cap.": "capítulo",
    "vol.": "volumen", "~": "unos",
}  # fmt: skip

#: Acronyms Spanish speakers say as words; left as written (title case).
AS_WORDS = {
    w: w.capitalize()
    for w in (
        "ONU OTAN UNESCO UNICEF OPEP FIFA UEFA CIA IVA PYME ERE ETA FARC UNAM PSOE NASA "
        "ISIS HAMAS COVID SIDA MERCOSUR CELAC UNASUR ALBA PEMEX INE SEAT OVNI DANA BOE "
        "FEMA UNRWA INTERPOL EUROPOL FRONTEX OEA EFE PIB SEPE CSIC RENFE AENA ERTE IBEX UNED "
        "ONCE MIR OCDE CELAM FONASA IMSS ISSSTE SAT UNAM CONAPO SENASA CEPAL BID FINUL AEMET "
        "ACNUR MINUSMA"
    ).split()
}
AS_WORDS.update(
    {
        "IBEX": "Íbex",
        "CSIC": "Cesic",
        "IMSS": "I.M.S.S.",
        "SAT": "S.A.T.",
        "BID": "B.I.D.",
        "OEA": "O.E.A.",
        "INE": "Ine",
        "PSOE": "Psoe",
        "CIA": "Cía",
    }
)

# (singular, plural, feminine?); cents are "centavos" except for the euro
CURRENCIES = {
    "US$": ("dólar estadounidense", "dólares estadounidenses", False),
    "USD": ("dólar estadounidense", "dólares estadounidenses", False),
    "$": ("dólar", "dólares", False),
    "€": ("euro", "euros", False),
    "EUR": ("euro", "euros", False),
    "£": ("libra", "libras", True),
    "GBP": ("libra esterlina", "libras esterlinas", True),
    "¥": ("yen", "yenes", False),
    "MXN": ("peso mexicano", "pesos mexicanos", False),
    "ARS": ("peso argentino", "pesos argentinos", False),
    "COP": ("peso colombiano", "pesos colombianos", False),
    "CLP": ("peso chileno", "pesos chilenos", False),
    "BRL": ("real", "reales", False),
    "R$": ("real", "reales", False),
    "₪": ("séquel", "séqueles", False),
    "₽": ("rublo", "rublos", False),
}
MINOR = {"€": ("céntimo", "céntimos"), "EUR": ("céntimo", "céntimos")}
DEFAULT_MINOR = ("centavo", "centavos")
SCALE_WORDS = r"mil millones|millones|millón|billones|billón|mil"

# (singular, plural, feminine?)
UNITS = {
    "km/h": ("kilómetro por hora", "kilómetros por hora", False),
    "km²": ("kilómetro cuadrado", "kilómetros cuadrados", False),
    "m²": ("metro cuadrado", "metros cuadrados", False),
    "km": ("kilómetro", "kilómetros", False), "m": ("metro", "metros", False),
    "cm": ("centímetro", "centímetros", False), "mm": ("milímetro", "milímetros", False),
    "kg": ("kilo", "kilos", False), "g": ("gramo", "gramos", False),
    "mg": ("miligramo", "miligramos", False), "t": ("tonelada", "toneladas", True),
    "l": ("litro", "litros", False), "ml": ("mililitro", "mililitros", False),
    "ha": ("hectárea", "hectáreas", True), "h": ("hora", "horas", True),
    "min": ("minuto", "minutos", False), "mph": ("milla por hora", "millas por hora", True),
    "GB": ("gigabyte", "gigabytes", False), "MB": ("megabyte", "megabytes", False),
    "MW": ("megavatio", "megavatios", False), "GW": ("gigavatio", "gigavatios", False),
    "kWh": ("kilovatio hora", "kilovatios hora", False),
}  # fmt: skip
TEMPERATURE_UNITS = {"C": "Celsius", "F": "Fahrenheit"}

#: Words after which a number stands alone: it keeps "uno" and its masculine form.
FUNCTION_WORDS = frozenset(
    "de del y e o u ni a al en por para que con sin entre hasta desde según contra sobre tras "
    "el la los las lo un una se no es son fue fueron ha han más menos muy ya como cuando donde "
    "pero sino mientras porque aunque también solo sólo".split()
)
FEMININE_NOUNS = frozenset(
    "veces vez personas horas semanas libras toneladas víctimas mujeres noches calles "
    "muertes fuentes clases redes leyes sedes partes cárceles naves".split()
)
MASCULINE_IN_A = frozenset(
    "día días problema problemas programa programas sistema sistemas tema temas mapa mapas "
    "clima idioma idiomas planeta planetas dilema dilemas poema poemas drama dramas".split()
)
_VERB_ENDING = re.compile(r"(?:aron|ieron|eron|aban|ían|arán|erán|irán|rían|ó|aba)$")
_FEMININE_ENDING = re.compile(r"(?:as?|ción|ciones|sión|siones|dad|dades|tud|tudes|umbre|umbres)$")

REGNAL_NAMES = frozenset(
    "Felipe Juan Carlos Alfonso Fernando Isabel Carlos Enrique Pedro Jaime Luis Pío Benedicto "
    "Juan Pablo Gregorio León Francisco Clemente Inocencio Urbano Paulo Jorge Eduardo "
    "Guillermo".split()
)

NUMBER_WORDS_FOR_HOURS = {1: "una", 21: "veintiuna"}
DAYPARTS = ((1, 5, "de la madrugada"), (6, 11, "de la mañana"), (12, 12, "del mediodía"),
            (13, 19, "de la tarde"), (20, 24, "de la noche"))  # fmt: skip


def _phone_group(group: str) -> str:
    """Spanish reads a phone number in the groups written, in pairs past three digits."""
    if group.startswith("0"):
        return num.digit_names(group)
    if len(group) <= 3:
        return num.cardinal(int(group))
    if len(group) == 4:
        return " ".join(_phone_group(group[i : i + 2]) for i in (0, 2))
    return num.digit_names(group)


def _gap(m: re.Match[str]) -> str:
    """A space after an expansion when the next word touched the abbreviation."""
    rest = m.string[m.end() : m.end() + 1]
    return " " if rest and rest[0].isalnum() else ""


def agreement(word: str | None) -> str:
    """'f' (feminine), 'm' (masculine: apocope) or '' (the number stands alone)."""
    if not word:
        return ""
    w = word.lower()
    if w in FUNCTION_WORDS or _VERB_ENDING.search(w) or not w.isalpha():
        return ""
    if w in FEMININE_NOUNS or (w not in MASCULINE_IN_A and _FEMININE_ENDING.search(w)):
        return "f"
    return "m"


class Spanish:
    def __init__(self, point_decimal: bool, dollar: tuple[str, str], primero: bool) -> None:
        self.thousands, self.decimal = (",", ".") if point_decimal else (".", ",")
        t, d = re.escape(self.thousands), re.escape(self.decimal)
        self.num = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{d}\d+)?"
        self.dollar = dollar
        self.primero = primero

    def number(self, text: str, gender: str = "") -> str:
        n = parse_number(text, self.thousands, self.decimal)
        if len(n.whole) > 1 and n.whole.startswith("0"):
            words = num.digit_names(n.whole)
        else:
            words = num.cardinal(n.value, gender == "f", gender == "m" and not n.fraction)
        if n.fraction:
            frac = n.fraction
            spoken = (
                num.digit_names(frac)
                if frac.startswith("0") or len(frac) > 2
                else num.cardinal(int(frac))
            )
            words += " coma " + spoken
        return words

    def cardinal(self, m: re.Match[str]) -> str:
        gender = agreement(m.group("w"))
        if m.group("w") and m.group("w").lower() == "mil":
            gender = agreement(m.group("w2")) or "m"
            gender = "m" if gender == "" else gender
        return self.number(m.group("n"), gender)

    def money(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        symbol = g.get("cur") or g.get("code") or g.get("cur2") or "$"
        one, many, feminine = (*self.dollar, False) if symbol == "$" else CURRENCIES[symbol]
        amount, scale = g["a"], g.get("s")
        if scale:
            gender = "f" if scale == "mil" and feminine else "m"
            words = f"{self.number(amount, gender)} {scale}"
            return f"{words} {many}" if scale == "mil" else f"{words} de {many}"
        n = parse_number(amount, self.thousands, self.decimal)
        gender = "f" if feminine else "m"
        if len(n.fraction) == 2 and int(n.fraction):
            cents = int(n.fraction)
            unit = one if n.value == 1 else many
            major = f"{num.cardinal(n.value, feminine, not feminine)} {unit}"
            minor_one, minor_many = MINOR.get(symbol, DEFAULT_MINOR)
            minor = f"{num.cardinal(cents, False, True)} {minor_one if cents == 1 else minor_many}"
            return minor if n.value == 0 else f"{major} con {minor}"
        if len(n.fraction) == 2:
            amount = n.whole
        return f"{self.number(amount, gender)} {one if n.is_one else many}"

    def unit(self, m: re.Match[str]) -> str:
        one, many, feminine = UNITS[m.group("u")]
        n = m.group("n")
        word = one if parse_number(n, self.thousands, self.decimal).is_one else many
        return f"{self.number(n, 'f' if feminine else 'm')} {word}"

    def temperature(self, m: re.Match[str]) -> str:
        n = m.group("n")
        minus = "menos " if n.startswith("-") else ""
        n = n.lstrip("-")
        degrees = "grado" if parse_number(n, self.thousands, self.decimal).is_one else "grados"
        unit = TEMPERATURE_UNITS.get(m.group("u") or "", "")
        return f"{minus}{self.number(n, 'm')} {degrees} {unit}".strip()

    def day(self, d: int) -> str:
        return "primero" if d == 1 and self.primero else num.cardinal(d)

    def date(self, m: re.Match[str]) -> str:
        month = (
            MONTHS[m.group("m")[:3].lower()] if m.group("m")[:4].lower() != "sept" else "septiembre"
        )
        if m.group("m").lower().startswith("set"):
            month = "septiembre"
        words = f"{self.day(int(m.group('d')))} de {month}"
        if m.group("y"):
            words += f" de {num.cardinal(int(m.group('y')))}"
        return keep_final_dot(m, words)

    def numeric_date(self, m: re.Match[str]) -> str:
        if m.group("iy"):
            y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
        else:
            d, mo, y = int(m.group("d")), int(m.group("mo")), int(m.group("y"))
            if y < 100:
                y += 2000 if y <= 50 else 1900
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return m.group(0)
        return f"{self.day(d)} de {MONTH_NUMBERS[mo]} de {num.cardinal(y)}"

    def clock(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        h, mins = int(g["h"]), int(g.get("min") or g.get("min2") or 0)
        hour = NUMBER_WORDS_FOR_HOURS.get(h) or num.cardinal(h)
        ap = g.get("ap")
        if ap:
            h24 = h % 12 + (12 if ap.lower().startswith("p") else 0)
            part = next((p for lo, hi, p in DAYPARTS if lo <= (h24 or 24) <= hi), "")
            if h24 == 0:
                part = "de la noche"
            return keep_final_dot(m, f"{hour}{self.minutes(mins)} {part}")
        if g.get("unit") and mins:
            # "18:15 h": the 24-hour clock, read out in full.
            minutes = num.cardinal(mins, apocope=True)
            return f"{hour} {'hora' if h == 1 else 'horas'} y {minutes} minutos"
        if mins == 0:
            if g.get("unit"):
                return hour + (" hora" if h == 1 else " horas")
            return hour + (" en punto" if h == 1 else " horas")
        if h > 12 or h == 0:
            tail = f" {num.cardinal(mins)}" if mins >= 10 else f" cero {num.cardinal(mins)}"
            return hour + tail + (" horas" if g.get("unit") else "")
        return hour + self.minutes(mins) + (" horas" if g.get("unit") else "")

    def minutes(self, mins: int) -> str:
        if mins == 0:
            return ""
        return {15: " y cuarto", 30: " y media"}.get(mins, f" y {num.cardinal(mins)}")

    def ordinal(self, m: re.Match[str]) -> str:
        suffix = (m.group("s") or m.group("s3") or "º").lower()
        value = int(m.group("n"))
        feminine = suffix in ("ª", "a", "ra", "da", "ta", "va", "na", "ma")
        return num.ordinal(value, feminine, apocope=suffix == "er")

    def regnal(self, m: re.Match[str]) -> str:
        name, numeral = m.group("name"), m.group("r")
        if len(numeral) == 1 and name not in REGNAL_NAMES:
            return m.group(0)
        value = roman_value(numeral)
        if value is None:
            return m.group(0)
        return f"{name} {num.ordinal(value) if value <= 10 else num.cardinal(value)}"

    def century(self, m: re.Match[str]) -> str:
        value = roman_value(m.group("r"))
        if value is None:
            return m.group(0)
        return f"{m.group('c')} {num.ordinal(value) if value <= 10 else num.cardinal(value)}"

    def ordinal_before_name(self, m: re.Match[str]) -> str:
        feminine = m.group("w").endswith("a")
        value = roman_value(m.group("r"))
        if value is None:
            return m.group(0)
        words = num.ordinal(value, feminine, apocope=not feminine)
        return f"{words[:1].upper()}{words[1:]} {m.group('w')}"

    def steps(self) -> tuple[Step, ...]:
        NUM = self.num
        nb = r"(?<![\w.,])"
        month = f"{alternation(MONTHS.values())}|(?:{alternation(MONTHS)})\\.?"
        cur = alternation(c for c in CURRENCIES if not c.isalpha())
        code = alternation(c for c in CURRENCIES if c.isalpha())
        titles = alternation(TITLES)
        abbrevs = alternation(ABBREVIATIONS)
        before_number = alternation(BEFORE_NUMBER)
        units = alternation(UNITS)
        roman = r"[IVXLCDM]+"
        next_words = r"(?=\s+(?P<w>[^\W\d_]+)(?:\s+(?P<w2>[^\W\d_]+))?)?"
        return (
            long_numbers(num.digit_names),
            *web_rules("punto", "arroba"),
            # Spanish and Mexican numbers without a prefix: "900 123 456", "91 555 12 34".
            rule(
                r"(?<![\w.,+-])(?:[6-9]\d{2}(?:\s\d{3}){2}|[89]\d(?:\s\d{3})(?:\s\d{2}){2})(?![\w-]|[.,]\d)",
                lambda m: ", ".join(_phone_group(g) for g in m.group(0).split()),
            ),
            phone_rule(
                "más",
                _phone_group,
                lambda code: num.cardinal(int(code)),
                keywords=("tel", "teléfono", "tlf", "tfno", "móvil", "celular", "whatsapp"),
            ),
            rule(r"#(?=[A-Za-z]\w*)(\w+)", lambda m: f"hashtag {split_camel(m.group(1))}"),
            rule(r"(?<![\w@])@([A-Za-z_]\w+)", lambda m: f"arroba {split_camel(m.group(1))}"),
            # An abbreviation that ends in "." or "/" may touch the next word ("c/Alcalá"):
            # it is expanded and set apart, never glued to it or eating it.
            rule(
                rf"(?<![\w.])(?:{abbrevs})(?:(?<=[./º])(?![A-ZÁÉÍÓÚÑ]\.)|(?![\w]))",
                lambda m: keep_final_dot(m, ABBREVIATIONS[m.group(0)]) + _gap(m),
            ),
            rule(
                rf"(?<![\w.])({before_number})\s?(?=\d)", lambda m: BEFORE_NUMBER[m.group(1)] + " "
            ),
            rule(rf"\b(?P<t>{titles})\.{NAME_AHEAD}", lambda m: TITLES[m.group("t")]),
            rule(
                rf"\b(?P<t>{titles})\.(?=[A-ZÁÉÍÓÚÑ][a-záéíóúñ])",
                lambda m: TITLES[m.group("t")] + " ",
            ),
            rule(rf"\b(?P<t>Sr|Sra|Dr|Dra)\b{NAME_AHEAD}", lambda m: TITLES[m.group("t")]),
            rule(
                rf"(?<![\w])(?:(?P<cur>{cur})|(?P<code>{code})\s)\s?(?P<a>{NUM})(?:\s(?P<s>{SCALE_WORDS})\b)?",
                self.money,
            ),
            rule(
                rf"{nb}(?P<a>{NUM})(?:\s(?P<s>{SCALE_WORDS})\b(?:\s+de)?)?\s?(?P<cur2>{cur}|{code}\b)",
                self.money,
            ),
            rule(
                rf"(?<![\d.,-])\b(?P<d>[12]\d|3[01]|0?[1-9])\s(?:de\s)?(?P<m>{month})(?![\w])(?:\s(?:de\s|del\s)?(?P<y>\d{{4}})\b)?",
                self.date,
                re.IGNORECASE,
            ),
            rule(
                r"\b(?:(?P<iy>1\d{3}|20\d{2})-(?P<im>\d{2})-(?P<id>\d{2})"
                r"|(?P<d>\d{1,2})[/-](?P<mo>\d{1,2})[/-](?P<y>\d{4}|\d{2}))\b(?![/-]\d)",
                self.numeric_date,
            ),
            rule(
                r"\b(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<min>[0-5]\d))?\s?(?P<ap>[ap]\.\s?m\.|[ap]m\b)",
                self.clock,
                re.IGNORECASE,
            ),
            rule(
                r"\b(?P<h>[01]?\d|2[0-3])(?::(?P<min>[0-5]\d)|\.(?P<min2>[0-5]\d)(?=\s?h))(?![\d:])(?:\s?(?P<unit>h\b|horas\b|hrs\b\.?))?",
                self.clock,
            ),
            rule(r"(?<=\d)\s?[–—]\s?(?=-?\d)", " a "),
            # Resultados y votaciones: "ganó 3-1".
            # A result ("ganó 2-1") is two numbers that stand alone; a range ("5-11 años") agrees.
            rule(
                r"(?i)\b(?P<v>ganó|ganaron|empató|empataron|venció|vencieron|perdió|perdieron"
                r"|derrotó|goleó|resultado|marcador|final)\s(?P<a>\d{1,3})-(?P<b>\d{1,3})"
                r"(?![\d-]|[.,]\d|\w)",
                lambda m: (
                    f"{m.group('v')} {self.number(m.group('a'))} a {self.number(m.group('b'))}"
                ),
            ),
            rule(r"(?<![\d.,-])(\d{1,3})-(\d{1,3})(?![\d-]|[.,]\d|\w)", r"\1 a \2"),
            rule(rf"{nb}(?P<n>-?{NUM})\s?[°º]\s?(?P<u>[CF])?\b", self.temperature),
            rule(rf"{nb}(?P<n>-?{NUM})\s?%", lambda m: self._signed(m.group("n")) + " por ciento"),
            rule(rf"{nb}(?P<n>{NUM})\s?(?P<u>{units})(?![\w/²])", self.unit),
            rule(
                r"\b(?P<n>\d{1,3})(?:\.?(?P<s>[ºª])|\.°|\.?(?P<s3>er|ra|ro|do|da|to|ta|vo|va|no|na|mo|ma)\b)",
                self.ordinal,
            ),
            rule(rf"\b(?P<c>[Ss]iglos?)\s+(?P<r>{roman})\b", self.century),
            rule(
                rf"\b(?P<r>{roman})\s+(?P<w>Guerra|Congreso|Cumbre|Conferencia|Juegos|Festival|Asamblea|Concilio|Reich|Edición|Premio)\b",
                self.ordinal_before_name,
            ),
            rule(r"\b(?P<name>[A-ZÁÉÍÓÚ][a-záéíóúñ]+)\s+(?P<r>[IVXL]+)\b(?!\.\w)", self.regnal),
            # Laws by number and year ("Ley 7/2024"), other numbers over numbers ("3/4").
            rule(
                r"(?i)\b(?P<k>ley|decreto|decreto ley|real decreto|orden|resolución|directiva)"
                r"\s(?P<n>\d{1,4})/(?P<y>\d{4})\b",
                lambda m: (
                    f"{m.group('k')} {self.number(m.group('n'))} de {self.number(m.group('y'))}"
                ),
            ),
            rule(r"(?<=\d)/(?=\d)", " barra "),
            rule(r"\bkm\.?\s(?=\d)", "kilómetro "),
            # Roads, models and types: "A-6", "F-16", "A320" -> "A seis", "F dieciséis", ...
            rule(
                r"(?<![\w.])(?P<l>[A-Z]{1,3})(?:-|(?=\d))(?=\d{1,4}\b)",
                lambda m: m.group("l") + " ",
            ),
            rule(r"(?<![\w.])-(?=\d)", "menos "),
            rule(rf"{nb}(?P<n>{NUM})(?![\w]|[.,]\d){next_words}", self.cardinal),
            leftover_digits(self.number),
            initialisms,
            rule(r"\s*&\s*", " y "),
            rule(r"\s\+\s|(?<=\w)\+(?=\s|$)", " más "),
            rule(r"\s=\s", " igual a "),
            rule(r"\s?%", " por ciento"),
            rule(r"\b([a-záéíóúñ]+)/([a-záéíóúñ]+)\b", r"\1 o \2"),
            rule(r"(?<=\w)/(?=\w)", "-"),
            rule(r"[$€£¥#@<>=°/\\{}]", " "),
            *post_clean_rules(","),
        )

    def _signed(self, n: str) -> str:
        return ("menos " + self.number(n[1:])) if n.startswith("-") else self.number(n)


_INITIALISM = re.compile(r"(?<![\w.])(?P<w>[A-ZÑ]{2,})(?P<s>s)?(?![\w]|\.[A-Za-z])")


def initialisms(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        word = m.group("w")
        if word in AS_WORDS:
            return AS_WORDS[word] + (m.group("s") or "")
        if len(word) > 5 and re.search("[AEIOU]", word):
            return word.capitalize() + (m.group("s") or "")
        # "SA" is "S.A." (sociedad anónima): the dotted form may be an abbreviation itself.
        expanded = ABBREVIATIONS.get(dotted(word))
        if expanded and not m.group("s"):
            return expanded
        return dotted(word) + (m.group("s") or "")

    return _INITIALISM.sub(one, text)


@cache
def language(region: str | None) -> Language:
    dollar = ("peso", "pesos") if region in PESO_REGIONS else ("dólar", "dólares")
    spanish = Spanish(region in POINT_DECIMAL_REGIONS, dollar, region in PRIMERO_REGIONS)
    return Language(spanish.steps(), ",")
