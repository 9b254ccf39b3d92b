"""English tables: the words, abbreviations, units and currencies the English rules read."""

from __future__ import annotations

BRITISH_REGIONS = frozenset(
    {"GB", "UK", "IE", "AU", "NZ", "ZA", "IN", "PK", "NG", "KE", "SG", "HK"}
)

MONTHS = {
    m[:3]: m
    for m in (
        "January February March April May June July August September October November December"
    ).split()
}
MONTHS["Sept"] = "September"
MONTH_NUMBERS = {i + 1: m for i, m in enumerate(dict.fromkeys(MONTHS.values()))}

ABBREVIATIONS = {
    "e.g.": "for example", "i.e.": "that is", "etc.": "etcetera", "vs.": "versus", "vs": "versus",
    "approx.": "approximately", "a.k.a.": "also known as", "cf.": "compare", "viz.": "namely",
    "et al.": "and others", "Inc.": "Incorporated", "Ltd.": "Limited", "Corp.": "Corporation",
    "Bros.": "Brothers", "Dept.": "Department", "Govt.": "Government", "Gov't": "Government",
    "Int'l": "International", "Ave.": "Avenue", "Blvd.": "Boulevard", "Jr.": "Junior",
    "Sr.": "Senior", "Esq.": "Esquire", "Ph.D.": "P.H.D.", "PhD": "P.H.D.", "w/o": "without",
    "w/": "with",
}  # fmt: skip

#: Said in full only before a capitalised name ("Gen. Smith", "Dr Jones").
TITLES = {
    "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor",
    "Gen": "General", "Lt": "Lieutenant", "Col": "Colonel", "Maj": "Major", "Capt": "Captain",
    "Sgt": "Sergeant", "Cpl": "Corporal", "Pvt": "Private", "Adm": "Admiral", "Cmdr": "Commander",
    "Brig": "Brigadier", "Gov": "Governor", "Sen": "Senator", "Rep": "Representative",
    "Rev": "Reverend", "Fr": "Father", "Pres": "President", "Amb": "Ambassador",
    "Sec": "Secretary", "Supt": "Superintendent", "Det": "Detective", "Insp": "Inspector",
    "Hon": "Honourable", "St": "Saint", "Mt": "Mount", "Ft": "Fort",
}  # fmt: skip

#: Bills before a legislature: "SB 1047" -> "S.B. ten forty-seven".
BILL_PREFIXES = ("SB", "HB", "AB", "HR", "H.R", "S.B", "H.B", "LD", "SF", "HF")
#: Makers whose models are numbers: "Boeing 737" -> "Boeing seven thirty-seven".
MODEL_BRANDS = (
    "Boeing Airbus Embraer Antonov Tupolev Ilyushin Sukhoi MiG Cessna Bombardier Bell Lockheed "
    "Kamov Mil Yakovlev Comac Porsche Peugeot Fiat Audi BMW Volvo Saab Nokia Leica Canon Nikon"
).split()

#: Said in full only before a number ("No. 10", "pp. 4-6").
BEFORE_NUMBER = {
    "No.": "number", "No": "number", "no.": "number", "Nos.": "numbers", "#": "number",
    "p.": "page", "pp.": "pages", "Vol.": "volume", "vol.": "volume", "Art.": "Article",
    "Ch.": "chapter", "Fig.": "figure", "Sec.": "section", "Para.": "paragraph", "c.": "circa",
    "ca.": "circa", "~": "about", "≈": "about",
}  # fmt: skip

#: Acronyms a newsreader says as a word. Anything else in capitals is spelled.
AS_WORDS = {
    w: w.capitalize()
    for w in (
        "NATO UNESCO UNICEF OPEC NASA AIDS HAMAS ISIS ISIL FIFA UEFA ASEAN NAFTA "
        "BRICS SWIFT COVID ECOWAS INTERPOL EUROPOL FRONTEX UNRWA UNIFIL MERCOSUR "
        "CARICOM NORAD DARPA FEMA OSHA SARS MERS LASER RADAR SCUBA GIF PIN ICE "
        "CENTCOM AFRICOM AIPAC CAIR OCHA MENA NASDAQ NASCAR COP SIPRI OTAN ONU "
        "UNAMA MINUSMA MONUSCO UNMISS SEATO PEPFAR OFAC CERN ESA UNIDO UNIFEM IRENA "
        "NEOM ANSA EFE TASS WAFA SANA IRNA FARC ETA PEMEX CONAGUA"
    ).split()
}
#: In a shouted headline only these short words are still spelled.
KNOWN_INITIALISMS = frozenset(
    "US UK UN EU CIA FBI IDF IMF BBC CNN AFP AP GMT UAE USA USSR DC NGO CEO PM MP TV EV AI".split()
)
AS_WORDS.update({"MAX": "Max", "JPEG": "jay peg", "OPEC": "Opec", "DOGE": "Doge", "SWAT": "Swat"})

CURRENCY_SYMBOLS = {
    "US$": ("U.S. dollar", "U.S. dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "CA$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "AU$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "NZ$": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "S$": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
    "R$": ("real", "reais", "centavo", "centavos"), "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "", ""), "₹": ("rupee", "rupees", "", ""),
    "₽": ("ruble", "rubles", "", ""), "₪": ("shekel", "shekels", "agora", "agorot"),
    "₩": ("won", "won", "", ""), "₺": ("lira", "liras", "", ""), "₦": ("naira", "naira", "", ""),
    "₱": ("peso", "pesos", "centavo", "centavos"), "₴": ("hryvnia", "hryvnias", "", ""),
    "₿": ("bitcoin", "bitcoins", "", ""),
}  # fmt: skip
CURRENCY_CODES = {
    "USD": ("U.S. dollar", "U.S. dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"), "GBP": ("pound", "pounds", "penny", "pence"),
    "JPY": ("yen", "yen", "", ""), "CNY": ("yuan", "yuan", "", ""),
    "RMB": ("yuan", "yuan", "", ""), "CHF": ("Swiss franc", "Swiss francs", "", ""),
    "INR": ("rupee", "rupees", "", ""), "RUB": ("ruble", "rubles", "", ""),
    "ILS": ("shekel", "shekels", "", ""), "NIS": ("shekel", "shekels", "", ""),
    "TRY": ("lira", "liras", "", ""), "SAR": ("Saudi riyal", "Saudi riyals", "", ""),
    "AED": ("dirham", "dirhams", "", ""), "QAR": ("Qatari riyal", "Qatari riyals", "", ""),
    "IRR": ("Iranian rial", "Iranian rials", "", ""),
    "LBP": ("Lebanese pound", "Lebanese pounds", "", ""),
    "EGP": ("Egyptian pound", "Egyptian pounds", "", ""),
    "SYP": ("Syrian pound", "Syrian pounds", "", ""),
    "IQD": ("Iraqi dinar", "Iraqi dinars", "", ""),
    "JOD": ("Jordanian dinar", "Jordanian dinars", "", ""),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "MXN": ("Mexican peso", "Mexican pesos", "", ""),
}  # fmt: skip
SCALES = {
    "k": "thousand", "K": "thousand", "thousand": "thousand",
    "m": "million", "M": "million", "mn": "million", "mln": "million", "million": "million",
    "b": "billion", "B": "billion", "bn": "billion", "billion": "billion",
    "tn": "trillion", "trn": "trillion", "trillion": "trillion",
}  # fmt: skip

UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"), "m/s": ("meter per second", "meters per second"),
    "km²": ("square kilometer", "square kilometers"),
    "sq km": ("square kilometer", "square kilometers"),
    "km2": ("square kilometer", "square kilometers"), "m²": ("square meter", "square meters"),
    "sq m": ("square meter", "square meters"), "sq ft": ("square foot", "square feet"),
    "km": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "mi": ("mile", "miles"), "ft": ("foot", "feet"),
    "yd": ("yard", "yards"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"), "ha": ("hectare", "hectares"),
    "GB": ("gigabyte", "gigabytes"), "MB": ("megabyte", "megabytes"),
    "TB": ("terabyte", "terabytes"), "KB": ("kilobyte", "kilobytes"),
    "Gbps": ("gigabit per second", "gigabits per second"),
    "Mbps": ("megabit per second", "megabits per second"), "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("megahertz", "megahertz"), "kHz": ("kilohertz", "kilohertz"), "Hz": ("hertz", "hertz"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "MWh": ("megawatt hour", "megawatt hours"), "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"), "dB": ("decibel", "decibels"),
    "bpd": ("barrel per day", "barrels per day"), "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "h": ("hour", "hours"), "sec": ("second", "seconds"), "secs": ("second", "seconds"),
    "ms": ("millisecond", "milliseconds"), "yr": ("year", "years"), "yrs": ("year", "years"),
    "kcal": ("kilocalorie", "kilocalories"), "ppm": ("part per million", "parts per million"),
    "x": ("times", "times"),
}  # fmt: skip
#: "5m" is metres only before these words; otherwise news means millions.
METRE_CONTEXT = (
    r"high|long|wide|deep|tall|away|above|below|under|from|of"
    r"|in (?:height|length|depth|width|diameter)"
)

TEMPERATURE_UNITS = {"C": "Celsius", "F": "Fahrenheit", "K": "Kelvin"}
COMPASS = {"N": "north", "S": "south", "E": "east", "W": "west"}
FRACTIONS = {
    "½": (1, 2),
    "¼": (1, 4),
    "¾": (3, 4),
    "⅓": (1, 3),
    "⅔": (2, 3),
    "⅛": (1, 8),
    "⅕": (1, 5),
}
FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}
SPECIAL_SLASHES = {"24/7": "twenty-four seven", "9/11": "nine eleven", "50/50": "fifty-fifty"}
QUANTITY_WORDS = (
    r"about|around|over|nearly|almost|some|approximately|than|least|roughly|exactly|only|just|minus"
)

#: Before these words a Roman numeral is a cardinal ("World War Two").
ROMAN_CARDINAL_CONTEXT = (
    "War Phase Part Chapter Title Article Type Class Stage Level Bowl Vatican Act Book "
    "Volume Section Round Grade Category Apollo Episode Schedule Division Tier Rocky Gen"
).split()
#: A lone I, V or X is a numeral only after a monarch's or pope's name.
REGNAL_NAMES = (
    "Elizabeth Charles James George Henry Edward William Mary Richard John Louis Philip "
    "Felipe Peter Catherine Napoleon Alexander Nicholas Paul Benedict Francis Pius Leo "
    "Gregory Innocent Frederick Wilhelm Ferdinand Alfonso Juan Carlos Abdullah Hussein "
    "Faisal Fahd Salman Mohammed Hassan Rama Harald Olav Gustaf Willem Albert Baudouin "
    "Constantine Victor Umberto Ivan Selim Suleiman Mehmed Murad Ahmed Urban Clement"
).split()
ROMAN_STOP = frozenset({"XL", "XXL", "XXX", "XXXL", "LL", "LI", "IL", "VL"})
