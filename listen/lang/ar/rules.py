"""Arabic: written news text to the words a newsreader says.

Choices a listener will notice:

* Western and Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩, with ٫ and ٬) are both read
  as Arabic number words; no diacritics are added.
* After a preposition or a word such as "عام" the number takes its
  genitive form, as a reader says it: "عام 2025" -> "عام ألفين وخمسة
  وعشرين", "بنسبة 23%" -> "بنسبة ثلاثة وعشرين بالمئة".
* Percent is "بالمئة"; decimals use "فاصلة": "1.5" -> "واحد فاصلة خمسة".
* Money is said after the amount, and a scale word stays with it: "$220
  مليون" and "220 مليون $" -> "مئتان وعشرون مليون دولار".
* Dates are read with an ordinal day: "18 فبراير 2025" -> "الثامن عشر من
  فبراير ألفين وخمسة وعشرين"; numeric dates are day first.
* Times: "15:00" -> "الثالثة بعد الظهر", "09:30" -> "التاسعة والنصف صباحاً".
"""

from __future__ import annotations

import re
from functools import cache

from ..common import (
    Language,
    Step,
    alternation,
    leftover_digits,
    long_numbers,
    parse_number,
    phone_rule,
    post_clean_rules,
    rule,
    split_camel,
    web_rules,
)
from . import numbers as num

#: Regions that name months كانون الثاني، شباط ... rather than يناير، فبراير ...
LEVANT_REGIONS = frozenset({"LB", "SY", "JO", "IQ", "PS"})

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")

MONTHS = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()
LEVANT_MONTHS = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
MONTH_NAMES = (
    MONTHS + LEVANT_MONTHS + ["إبريل", "ابريل", "اغسطس", "أغسطس", "يونية", "يوليه", "مايو"]
)

DAY_ORDINALS = "الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر".split()
_ONES_IN_COMPOUNDS = ["الحادي", *DAY_ORDINALS[1:9]]
DAY_ORDINALS += [f"{o} عشر" for o in _ONES_IN_COMPOUNDS]
DAY_ORDINALS += ["العشرون"] + [f"{o} والعشرون" for o in _ONES_IN_COMPOUNDS]
DAY_ORDINALS += ["الثلاثون", "الحادي والثلاثون"]

HOURS = [
    *"الواحدة الثانية الثالثة الرابعة الخامسة السادسة السابعة الثامنة التاسعة العاشرة".split(),
    "الحادية عشرة",
    "الثانية عشرة",
]
MINUTES = {0: "", 15: " والربع", 20: " والثلث", 30: " والنصف"}
FEMININE_SMALL = {
    3: "ثلاث",
    4: "أربع",
    5: "خمس",
    6: "ست",
    7: "سبع",
    8: "ثماني",
    9: "تسع",
    10: "عشر",
}

# (singular, dual, plural for 3-10, accusative for 11-99)
CURRENCIES = {
    "US$": ("دولار أمريكي", "دولاران أمريكيان", "دولارات أمريكية", "دولاراً أمريكياً"),
    "$": ("دولار", "دولاران", "دولارات", "دولاراً"),
    "USD": ("دولار", "دولاران", "دولارات", "دولاراً"),
    "€": ("يورو", "يورو", "يورو", "يورو"),
    "EUR": ("يورو", "يورو", "يورو", "يورو"),
    "£": ("جنيه إسترليني", "جنيهان إسترلينيان", "جنيهات إسترلينية", "جنيهاً إسترلينياً"),
    "₪": ("شيكل", "شيكلان", "شواكل", "شيكلاً"),
    "¥": ("ين", "ينان", "ينات", "يناً"),
    "ل.ل": ("ليرة لبنانية", "ليرتان لبنانيتان", "ليرات لبنانية", "ليرة لبنانية"),
}
SCALE_WORDS = "مليار مليارات مليون ملايين ألف آلاف تريليون ترليون".split()

#: After these words a number is read in the genitive.
GENITIVE_BEFORE = frozenset(
    # After a preposition, or a verb whose object is the number ("ما يعادل", "بلغت"): for
    # the number words that change (عشرون -> عشرين), the accusative is the genitive's form.
    "يعادل تعادل بلغ بلغت يبلغ تبلغ تجاوز تجاوزت يتجاوز تتجاوز سجلت يسجل تسجل "
    "يقارب تقارب يناهز تناهز ناهز يضم تضم ضمت دفع دفعت أمضى أمضت قضى قضت إن أن إنّ أنّ "
    "لأن لأنّ ولكن لكن حصدت جمعت يملك تملك غضون لمدة مدة طيلة طوال سراح "
    "في من إلى الى على عن حتى منذ نحو حوالي بنحو بحوالي بنسبة نسبة عام العام لعام بعام "
    "سنة السنة لسنة بين بعد قبل خلال مع مدى أكثر أقل قرابة زهاء موسم مطلع بداية نهاية "
    "أواخر أوائل منتصف ربيع صيف خريف شتاء".split()
)
_DUALS = ("مئتان", "ألفان", "مليونان", "ملياران")


_DAYPART_NEXT = re.compile(r"\s*(?:صباحا|صباحاً|مساء|مساءً|ظهرا|ظهراً|فجرا|فجراً|ليلا|ليلاً)\b")


def _feminine_noun(noun: str) -> bool:
    """Does the counted noun take the feminine number ("ثلاث سنوات", "خمس عشرة دولة")?"""
    word = noun.removesuffix("ً")
    return word.endswith("ة") or word in FEMININE_PLURALS


#: Latin acronyms as Arabic news writes and says them; others are spelled with letter names.
LATIN_WORDS = {
    "NATO": "الناتو", "UNESCO": "اليونسكو", "UNICEF": "اليونيسف", "OPEC": "أوبك",
    "FIFA": "الفيفا", "UEFA": "اليويفا", "NASA": "ناسا", "UNRWA": "الأونروا",
    "COVID": "كوفيد", "HAMAS": "حماس", "ISIS": "داعش", "CNN": "سي إن إن", "BBC": "بي بي سي",
    "UN": "الأمم المتحدة", "EU": "الاتحاد الأوروبي", "USA": "الولايات المتحدة",
    "IMF": "صندوق النقد الدولي", "WHO": "منظمة الصحة العالمية", "AFP": "وكالة فرانس برس",
    "OK": "أوكي", "GPS": "جي بي إس", "ASEAN": "آسيان", "BRICS": "بريكس", "SWIFT": "سويفت",
    "INTERPOL": "الإنتربول", "IAEA": "الوكالة الدولية للطاقة الذرية", "MENA": "مينا",
}  # fmt: skip
#: Nouns that count in the feminine though they do not end in ة.
FEMININE_NOUNS = frozenset("الذكرى ذكرى المرة مرة الدورة دورة".split())
#: Calendar markers after a year: Hijri "هـ" (the tatweel is gone by then) and Gregorian "م".
CALENDARS = {"ه": "للهجرة", "هـ": "للهجرة", "م": "للميلاد"}
_YEAR = re.compile(r"(?:19|20)\d\d")

#: Plurals of feminine nouns, which take the feminine number ("ثلاث سنوات").
FEMININE_PLURALS = frozenset(
    "سنوات ساعات دقائق سيارات مرات دول مدن طائرات قرى غارات ضربات مروحيات دبابات عمليات "
    "نساء سيدات فتيات بنات أسر عائلات جولات رصاصات قذائف شاحنات مركبات طائرات مسيرات "
    "منظمات شركات مؤسسات وزارات جامعات مدارس مناطق نقاط ليال محافظات بلدات درجات حالات "
    "إصابات محطات ولايات حكومات مستوطنات لغات جلسات دورات حلقات صفحات كلمات رحلات "
    "مباريات بطولات مسابقات سفن".split()
)

ABBREVIATIONS = {
    "إلخ": "إلى آخره",
    "وكالة أ.ف.ب": "وكالة الصحافة الفرنسية",
    "أ.ف.ب": "وكالة الصحافة الفرنسية",
    "ق.م": "قبل الميلاد",
    "ص.ب": "صندوق بريد",
}
_KM = ("كيلومتر", "كيلومترات", "كيلومتراً")
_KG = ("كيلوغرام", "كيلوغرامات", "كيلوغراماً")
_MM = ("مليمتر", "مليمترات", "مليمتراً")
# (singular, plural for 3-10, accusative for 11-99)
UNITS = {
    "كم/س": ("كيلومتر في الساعة", "كيلومترات في الساعة", "كيلومتراً في الساعة"),
    "كلم": _KM, "كم": _KM, "km": _KM, "كغ": _KG, "كجم": _KG, "كلغ": _KG, "kg": _KG,
    "سم": ("سنتيمتر", "سنتيمترات", "سنتيمتراً"), "ملم": _MM, "مم": _MM,
    "م": ("متر", "أمتار", "متراً"),
}  # fmt: skip
SYMBOL_WORDS = {"&": "و", "+": "زائد", "=": "يساوي", "@": "آت"}


class Arabic:
    def _signed(self, n: str, genitive: bool = False, feminine: bool = False) -> str:
        words = self.number(n.lstrip("-"), genitive, feminine)
        return f"سالب {words}" if n.startswith("-") else words

    def __init__(self, months: list[str]) -> None:
        self.months = months

    def number(self, text: str, genitive: bool = False, feminine: bool = False) -> str:
        n = parse_number(text, ",", ".")
        if len(n.whole) > 1 and n.whole.startswith("0"):
            words = num.digit_names(n.whole)
        else:
            words = num.cardinal(n.value)
            if feminine and not n.fraction:
                words = num.feminine(words)
        if n.fraction:
            frac = n.fraction
            spoken = (
                num.digit_names(frac)
                if frac.startswith("0") or len(frac) > 3
                else num.cardinal(int(frac))
            )
            words += " فاصلة " + spoken
        return num.genitive(words) if genitive else words

    def genitive_here(self, m: re.Match[str]) -> bool:
        # A preposition joined to the digits: "لـ60" (the tatweel gone), "ب5".
        if (
            m.start()
            and m.string[m.start() - 1] in "لب"
            and (m.start() == 1 or m.string[m.start() - 2] == " ")
        ):
            return True
        before = m.string[max(0, m.start() - 12) : m.start()].split()
        return bool(before) and before[-1] in GENITIVE_BEFORE

    def cardinal(self, m: re.Match[str]) -> str:
        noun = m.group("w") or ""
        feminine = _feminine_noun(noun)
        # A year that counts nothing is said in the genitive, as in "عام ألفين".
        year = noun in ("", "إلى", "الى") and _YEAR.fullmatch(m.group("n")) is not None
        words = self.number(m.group("n"), year or self.genitive_here(m), feminine)
        if noun and noun not in GENITIVE_BEFORE and words.endswith(_DUALS):
            words = words[:-1]  # construct form before the counted noun: "مئتا ألف"
        return words

    def calendar_year(self, m: re.Match[str]) -> str:
        year, marker = m.group("y"), m.group("k")
        value = int(year)
        before = m.string[max(0, m.start() - 8) : m.start()].split()
        dated = bool(before) and before[-1] in ("عام", "العام", "سنة", "لعام", "بعام", "منذ")
        # "م" is also metres: it marks a year only for a year-like number or after "عام".
        if marker == "م" and not (dated or 1000 <= value <= 2100):
            return m.group(0)
        return f"{self.number(year, genitive=True)} {CALENDARS[marker]}"

    def ordinal(self, m: re.Match[str]) -> str:
        noun = m.group("noun") or ""
        bare = noun.lstrip("وفبل")
        feminine = noun.endswith("ة") or noun in FEMININE_NOUNS or bare in FEMININE_NOUNS
        before = m.string[max(0, m.start() - 8) : m.start()].split()
        genitive = noun[:1] in ("ب", "ل") or (bool(before) and before[-1] in GENITIVE_BEFORE)
        words = num.ordinal(int(m.group("n")), feminine, genitive)
        if words is None:
            return f"{m.group(0)[: -len(m.group('n'))]} {self.number(m.group('n'))}"
        return f"{noun} {m.group('pre')}{words}".strip()

    def latin(self, m: re.Match[str]) -> str:
        word, pre = m.group("w"), m.group("pre") or ""
        said = self._latin(m, word)
        if not pre:
            return said
        # "الـUN", "للـUN", "بالـBBC": the article joins the reading's own, or is dropped.
        if pre.endswith("لل"):
            return pre + said[2:] if said.startswith("ال") else pre[:-1] + said
        return pre[:-2] + said

    def _latin(self, m: re.Match[str], word: str) -> str:
        if word in LATIN_WORDS:
            said = LATIN_WORDS[word]
            # "منظمة WHO", "وكالة AFP": the word before is already the reading's first word.
            before = m.string[max(0, m.start() - 12) : m.start()].split()
            first, _, rest = said.partition(" ")
            if before and rest and before[-1] == first:
                return rest
            return said
        return " ".join(num.LETTER_NAMES[ch] for ch in word)

    def between(self, m: re.Match[str]) -> str:
        return f"بين {self.number(m.group('a'), True)} و{self.number(m.group('b'), True)}"

    def percent(self, m: re.Match[str]) -> str:
        return self.number(m.group("n") or m.group("n2"), self.genitive_here(m)) + " بالمئة"

    def money(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        symbol = g.get("cur") or g.get("code") or g.get("cur2") or "$"
        one, two, few, many = CURRENCIES[symbol]
        amount, scale = g["a"], g.get("s")
        genitive = self.genitive_here(m)
        if scale:
            return f"{self.number(amount, genitive)} {scale} {one}"
        n = parse_number(amount, ",", ".")
        if n.fraction:
            return f"{self.number(amount, genitive)} {one}"
        value = n.value
        if value == 1:
            return f"{one} واحد"
        if value == 2:
            return num.genitive(two) if genitive else two
        if 3 <= value % 100 <= 10:
            return f"{self.number(amount, genitive)} {few}"
        if 11 <= value % 100 <= 99:
            return f"{self.number(amount, genitive)} {many}"
        return f"{self.number(amount, genitive)} {one}"

    def unit(self, m: re.Match[str]) -> str:
        one, few, many = UNITS[m.group("u")]
        n = parse_number(m.group("n"), ",", ".")
        if n.is_one:
            return f"{one} واحد"
        if n.value == 2 and not n.fraction and " " not in one:
            # The dual is the number: "كيلومتران" (genitive "كيلومترين").
            return f"{one}ين" if self.genitive_here(m) else f"{one}ان"
        word = one
        if not n.fraction and 3 <= n.value % 100 <= 10:
            word = few
        elif not n.fraction and 11 <= n.value % 100 <= 99:
            word = many
        return f"{self.number(m.group('n'), self.genitive_here(m))} {word}"

    def day(self, d: int) -> str:
        return DAY_ORDINALS[d - 1]

    def date(self, m: re.Match[str]) -> str:
        month = m.group("m") + (f" {m.group('m2')}" if m.group("m2") else "")
        day = self.day(int(m.group("d")))
        words = f"{num.genitive(day) if self.genitive_here(m) else day} من {month}"
        if m.group("y"):
            words += " " + num.genitive(num.cardinal(int(m.group("y"))))
        return words

    def numeric_date(self, m: re.Match[str]) -> str:
        if m.group("iy"):
            y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
        else:
            d, mo, y = int(m.group("d")), int(m.group("mo")), int(m.group("y"))
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return m.group(0)
        day = num.genitive(self.day(d)) if self.genitive_here(m) else self.day(d)
        return f"{day} من {self.months[mo - 1]} {num.genitive(num.cardinal(y))}"

    def clock(self, m: re.Match[str]) -> str:
        h, mins = int(m.group("h")), int(m.group("min"))
        if h in (0, 24) and mins == 0:
            return "منتصف الليل"
        if mins in (40, 45):
            h += 1
        hour = HOURS[(h - 1) % 12]
        if mins in MINUTES:
            minutes = MINUTES[mins]
        elif mins == 45:
            minutes = " إلا ربعاً"
        elif mins == 40:
            minutes = " إلا ثلثاً"
        elif mins == 1:
            minutes = " ودقيقة"
        elif mins == 2:
            minutes = " ودقيقتان"
        elif mins in FEMININE_SMALL:
            minutes = f" و{FEMININE_SMALL[mins]} دقائق"
        else:
            minutes = f" و{num.cardinal(mins)} دقيقة"
        hour24 = h % 24
        if hour24 < 5:
            part = "فجراً"
        elif hour24 < 12:
            part = "صباحاً"
        elif hour24 < 13:
            part = "ظهراً"
        elif hour24 < 18:
            part = "بعد الظهر"
        else:
            part = "مساءً"
        # "08:00 صباحاً": the page already says which part of the day.
        if _DAYPART_NEXT.match(m.string, m.end()):
            return f"{hour}{minutes}"
        return f"{hour}{minutes} {part}"

    def steps(self) -> tuple[Step, ...]:
        NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
        nb = r"(?<![\d.,])"  # a prefix such as و or ب may be joined to the digits
        cur = alternation(c for c in CURRENCIES if not c.isalpha())
        code = alternation(c for c in CURRENCIES if c.isalpha() and c.isascii())
        scale = alternation(SCALE_WORDS)
        month = alternation(MONTH_NAMES)
        units = alternation(UNITS)
        return (
            # The tatweel is only drawn; "الـ3" and "1445هـ" are read once it is gone.
            lambda text: text.translate(_DIGITS).replace("ـ", ""),
            long_numbers(num.digit_names),
            *web_rules("نقطة", "آت"),
            phone_rule("زائد", num.digit_names, comma="،"),
            rule(r"(?<![\w.])(?P<y>\d{1,4})\s?(?P<k>ه|م)(?![\w])", self.calendar_year),
            rule(
                r"(?:(?P<noun>[^\W\d_]+)\s+)?(?<![^\s])(?P<pre>[وفبكل]?)(?:ال|لل)\s?(?P<n>\d{1,4})(?!\d|[.,]\d)",
                self.ordinal,
            ),
            rule(r"#(?=[^\W\d]\w*)(\w+)", lambda m: f"وسم {split_camel(m.group(1))}"),
            rule(
                rf"(?<![\w.])(?:{alternation(ABBREVIATIONS)})(?![\w])",
                lambda m: ABBREVIATIONS[m.group(0)],
            ),
            rule(r"#\s?(?=\d)", "رقم "),
            rule(
                rf"(?:(?P<cur>{cur})|(?P<code>{code})\s)\s?(?P<a>{NUM})(?:\s(?P<s>{scale})\b)?(?!\s*(?:{cur}))",
                self.money,
            ),
            rule(rf"{nb}(?P<a>{NUM})(?:\s(?P<s>{scale}))?\s?(?P<cur2>{cur}|{code}\b)", self.money),
            rule(
                rf"(?<![\d.,])(?P<d>[12]\d|3[01]|0?[1-9])\s(?P<m>{month})(?:\s?/\s?(?P<m2>{month}))?(?:\s(?P<y>\d{{4}}))?(?!\d)",
                self.date,
            ),
            rule(
                r"(?<!\d)(?:(?P<iy>1\d{3}|20\d{2})-(?P<im>\d{2})-(?P<id>\d{2})"
                r"|(?P<d>\d{1,2})/(?P<mo>\d{1,2})/(?P<y>\d{4}))(?![/-]?\d)",
                self.numeric_date,
            ),
            rule(r"(?<!\d)(?P<h>[01]?\d|2[0-4]):(?P<min>[0-5]\d)(?![\d:])", self.clock),
            rule(rf"بين\s+(?P<a>{NUM})\s+و\s?(?P<b>{NUM})(?![\d.,])", self.between),
            rule(r"(?<=\d)\s?[–—-]\s?(?=\d)", " إلى "),
            rule(rf"%\s?(?P<n2>{NUM})|{nb}(?P<n>{NUM})\s?%", self.percent),
            rule(
                rf"{nb}(?P<n>-?{NUM})\s?°\s?[CcMمس]?",
                lambda m: self._signed(m.group("n"), self.genitive_here(m), True) + " درجة",
            ),
            rule(rf"{nb}(?P<n>{NUM})\s?(?P<u>{units})(?![\w/])", self.unit),
            # Latin capitals: a known acronym as Arabic says it, any other spelled letter by letter.
            rule(
                r"(?:(?<=\s)|^)?(?P<pre>[وفبك]?(?:ال|لل))?(?<![A-Za-z])(?P<w>[A-Z]{2,8})(?![A-Za-z])",
                self.latin,
            ),
            rule(
                r"(?<![A-Za-z])(?P<l>[A-Z])(?=[-\s]?\d)-?",
                lambda m: num.LETTER_NAMES[m.group("l")] + " ",
            ),
            rule(r"(?<![\w.])-(?=\d)", "سالب "),
            rule(rf"{nb}(?P<n>{NUM})(?![\d]|[.,]\d)(?=\s+(?P<w>[^\W\d_]+))?", self.cardinal),
            rule(r"\s*&\s*", " و"),
            rule(r"\s\+\s|(?<=\w)\+(?=\s|$)", " زائد "),
            rule(r"\s=\s", " يساوي "),
            rule(r"\s?%", " بالمئة"),
            rule(r"[$€£¥₪#@<>=°/\\{}]", " "),
            leftover_digits(self.number),
            *post_clean_rules("،"),
        )


@cache
def language(region: str | None) -> Language:
    months = LEVANT_MONTHS if region in LEVANT_REGIONS else MONTHS
    return Language(Arabic(list(months)).steps(), "،")
