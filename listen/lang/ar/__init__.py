"""Arabic: the language pack (rules, number words, and the short vowels in ``vowels``)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen
from . import rules, vowels

PACK = LanguagePack(
    code="ar",
    iso639_2="ara",
    name="العربية",
    normalizer=rules.language,
    months=tuple(rules.MONTHS),
    byline=Byline(
        "بقلم {}.",
        "المصدر: {}.",
        "{d} {m} {y}.",
        prefixes=("بقلم", "كتب", "كتبت"),
        source_words=("المصدر", "المصادر"),
    ),
    date_words=frozenset(
        """تحديث آخر نشر بتاريخ في الساعة صباحا مساء صباحاً مساءً غرينتش بتوقيت الاثنين
        الثلاثاء الأربعاء الخميس الجمعة السبت الأحد""".split()
        + [word for month in rules.MONTH_NAMES for word in month.split()]
    ),
    noise=(r"استمع|مشاركة|إعلان", r"\d+\s*(دقائق|دقيقة)\s*(للقراءة|قراءة)?"),
    labels=frozen({"caption": "تعليق الصورة:", "quote": "اقتباس:"}),
    caption_mark="تعليق الصورة",
    messages=frozen(
        {
            "listen": "استمع",
            "playback": "التشغيل",
            "play": "تشغيل",
            "pause": "إيقاف مؤقت",
            "back": "رجوع 15 ثانية",
            "forward": "تقديم 15 ثانية",
            "position": "الموضع",
            "speed": "السرعة",
            "next": "التالي",
            "nextTitle": "التالي: {title}",
            "chapters": "الأقسام",
            "transcript": "النص",
            "transcriptHint": "اختر جملة لبدء الاستماع منها.",
            "queue": "قائمة الاستماع",
            "played": "تم الاستماع",
            "caption": "تعليق الصورة:",
            "of": "{pos} من {total}",
            "loading": "جارٍ التحميل…",
            "preparing": "جارٍ تحضير الصوت…",
            "ready": "الصوت جاهز.",
            "playing": "جارٍ التشغيل",
            "paused": "متوقف مؤقتًا",
            "finished": "انتهى",
            "buffering": "جارٍ تحميل الصوت…",
            "chapter": "القسم: {title}",
            "resuming": "الاستئناف من {time}",
            "at": "عند {time}",
            "rate": "السرعة {rate}",
            "nowPlaying": "الآن: {title}",
            "noTranscript": "النص غير متوفر لهذه المقالة، لكن الصوت يعمل.",
            "audioError": "تعذّر تحميل الصوت.",
            "blocked": "لم يسمح المتصفح بالتشغيل. اضغط تشغيل مرة أخرى.",
            "network": "تعذّر الاتصال بخدمة الاستماع.",
            "failed": "تعذّر تحضير الصوت: {reason}",
            "queueError": "تعذّر تحميل قائمة الاستماع: {reason}",
            "nothing": "لا يوجد ما يمكن تشغيله.",
        }
    ),
    rtl=True,
    vowel=vowels.vowel,
)
