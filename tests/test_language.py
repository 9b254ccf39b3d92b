"""Telling an undeclared page's language without langdetect where the text makes it plain:
Chinese, Japanese and Korean by their scripts, Latin-script languages by their commonest
words, even in a text dense with names and numbers."""

from __future__ import annotations

import sys

import pytest

from listen.language import detect_language
from listen.metadata import PageMeta

CASES = {
    "zh": "北京时间周二晚间，国家统计局发布了最新的经济数据。分析人士认为，消费市场正在逐步恢复。",
    "ja": "東京都は火曜日、新しい交通計画を発表しました。市民の多くはこの計画に期待しています。",
    "ko": "서울시는 화요일 새로운 교통 계획을 발표했다. 많은 시민들이 이 계획에 기대를 걸고 있다.",
}

# A news brief thick with names, figures and titles: its function words are under a fifth
# of its words, but far ahead of every other language's.
DENSE_EN = (
    "Apple Inc. (NASDAQ: AAPL) CEO Tim Cook told CNBC on Tuesday iPhone 17 Pro sales, Q3 2026, "
    "rose 14% year on year: $52.3 billion, Mac, iPad, Vision Pro units up. Morgan Stanley, "
    "Goldman Sachs, JPMorgan, Wedbush raised targets to $260, $275, $280, $300, citing AI "
    "features, Apple Intelligence, Siri, China demand. Shares closed at $241.80 in New York "
    "after the report from the company and its suppliers in Taiwan."
) * 3


@pytest.mark.parametrize("code", sorted(CASES))
def test_cjk_languages_are_told_by_their_script(code: str) -> None:
    assert detect_language(PageMeta(), CASES[code] * 3) == code


def test_a_dense_english_brief_needs_no_langdetect() -> None:
    sys.modules.pop("langdetect", None)
    assert detect_language(PageMeta(), DENSE_EN) == "en"
    assert "langdetect" not in sys.modules


def test_the_script_corrects_a_wrong_cjk_declaration() -> None:
    assert detect_language(PageMeta(html_lang="zh"), CASES["ja"] * 3) == "ja"
    assert detect_language(PageMeta(html_lang="ja"), CASES["zh"] * 3) == "zh"
    assert detect_language(PageMeta(html_lang="zh-TW"), CASES["zh"] * 3) == "zh"
