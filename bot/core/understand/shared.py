"""A place name shared by several divisions, picked by the rest of the message as a careful
reader would (lexicon.yaml `shared_names`, read by dialects.py).

朝阳区 (北京, 长春), 白云区 (广州, 贵阳), 宝山区 (上海, 双鸭山), pinyin "Fuzhou" (福州, 抚州): without
anything to pick one the bot asks. Three things pick one:

- another place of the message in the same city ("朝阳区的，孩子在海淀上学" is 北京's);
- another place in the same province, towards a city people think of first ("My brother
  works in Xiamen and I'm in Fuzhou" is 福州); not away from it ("I'm in Suzhou, my parents
  are in Hefei" stays open: many from 安徽 work in 苏州) nor between equals ("husband from
  Taizhou, I'm insured in Hangzhou" stays open, as its writer labelled it);
- the dialect the message is written in: Shanghainese "侬晓得伐…我是宝山退休的" is 上海's 宝山,
  Cantonese "我哋都喺南沙參保" 广州's 南沙. Only words no standard Mandarin writer uses count
  (喺, 侬, 啥子), and only when they leave one candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from bot.core.understand.dialects import Dialect, SharedNames
from bot.core.understand.geography import Geography
from bot.core.understand.grammar import Grammar
from bot.core.understand.matcher import Hit, Message


def spoken_in(message: Message, dialects: Iterable[Dialect]) -> frozenset[str]:
    """The provinces of the one dialect the message is written in (its places blanked out, so
    阿拉善 is no 阿拉); empty for standard Chinese or words of several dialects."""
    text = list(message.text)
    for hit in message.hits:
        if hit.places or hit.context_places:
            text[hit.start : hit.end] = " " * (hit.end - hit.start)
    plain = "".join(text)
    found = [d for d in dialects if any(word in plain for word in d.words)]
    return found[0].provinces if len(found) == 1 else frozenset()


class SharedNamePicker:
    def __init__(self, geography: Geography, names: SharedNames, grammar: Grammar) -> None:
        self.geo = geography
        self.names = names
        self.grammar = grammar

    def named_inside(self, message: Message, hit: Hit, codes: tuple[str, ...]) -> str | None:
        """A division named right after its parent by a name that is an everyday word and so
        no place alone (lexicon.yaml not_places): "太原小店", "芜湖无为", "广州白云", "上海金山"."""
        rest = message.text[hit.end : hit.end + 4]
        if len(codes) != 1 or hit.word.key.isascii() or not rest:
            return None
        if any(h.start == hit.end for h in message.hits):
            return None
        for child in self.geo.divisions.children(codes[0]):
            if len(child.short) > 1 and rest.startswith(child.short):
                return child.code
        return None

    def is_town(self, message: Message, hit: Hit) -> bool:
        """ "在东莞长安镇上班", "城关镇", "Humen town": a town of that name, no division."""
        after = message.text[hit.end : hit.end + 12]
        if after.startswith(self.grammar.countryside):
            return False
        return after.startswith(self.grammar.towns) or after.startswith(
            tuple(" " + word for word in self.grammar.towns if word.isascii())
        )

    def by_level(self, message: Message, hit: Hit, codes: tuple[str, ...]) -> tuple[str, ...]:
        """The candidates a level word right after a short name leaves, else (): "昌江县" is
        昌江黎族自治县, not 昌江区; "Chaoyang District" is one of the 朝阳区, not 朝阳市."""
        if len(codes) < 2:
            return ()
        after = message.text[hit.end : hit.end + 12]
        level = after[:1] if after[:1] in self.grammar.level_suffixes else None
        for word, suffix in self.grammar.level_words.items():
            if after.startswith(" " + word):
                level = suffix
        if not level:
            return ()
        return tuple(c for c in codes if self.geo.name(c).endswith(level))

    def pick(
        self, codes: tuple[str, ...], others: Collection[str], spoken: Collection[str]
    ) -> tuple[str, ...]:
        """The candidates `others` (the message's other places, one division each) and the
        provinces of the message's dialect leave; all of them when nothing decides."""
        codes = tuple(c for c in codes if c not in self.names.rarely_meant) or codes
        same_area = self._fitting(codes, others, self.geo.area)
        if same_area:
            return same_area
        same_province = self._fitting(codes, others, self.geo.province)
        if same_province and self._known(same_province[0]):
            return same_province
        by_dialect = tuple(c for c in codes if self.geo.province(c) in spoken)
        return by_dialect if len(by_dialect) == 1 else codes

    def _fitting(
        self, codes: tuple[str, ...], others: Collection[str], key: Callable[[str], str | None]
    ) -> tuple[str, ...]:
        around = {key(o) for o in others} - {None}
        fitting = tuple(c for c in codes if key(c) in around)
        return fitting if len(fitting) == 1 else ()

    def _known(self, code: str) -> bool:
        area = self.geo.area(code)
        return area in self.names.well_known or self.geo.province(code) in self.names.well_known
