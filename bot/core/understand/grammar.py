"""The grammar words of lexicon.yaml (`grammar`): small closed lists the reader leans on to
tell who a clause speaks of and whose place a place is.

Kept apart from the lexicon builder so a new kind of grammar word is one field here and one
list in lexicon.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Grammar:
    """Chinese grammar words the reader leans on (lexicon.yaml `grammar`)."""

    possessive: tuple[str, ...]  # 的: "我在青岛的老婆", "长春的医保"
    self_possessive: tuple[str, ...]  # 我的/我 right before a relative: "用我的孩子的卡"
    location_gaps: frozenset[str]  # between a relative and a place: "我妈在长春"
    location_gap_words: tuple[str, ...]  # English words of such a gap: "is still back in"
    continues_subject: tuple[str, ...]  # a clause starting so keeps the last subject
    origin_suffix: tuple[str, ...]  # "湖南人" is a hometown ...
    origin_followers: tuple[str, ...]  # ... when a pause or one of these follows it
    beneficiary: tuple[str, ...]  # 给/for before a relative: who the money is for, not a subject
    level_suffixes: tuple[str, ...]  # 县/区/市 after a short name: "昌江县"
    level_words: Mapping[str, str]  # the same in English: district -> 区
    place_fillers: tuple[str, ...]  # what may stand around a place typed alone: 我在, i'm in
    sick_words: tuple[str, ...]  # falling ill somewhere is care there: 生病, got sick
    use_places: tuple[str, ...]  # right after a place: where the account is used, 药店
    treated_in: tuple[str, ...]  # right before a place: where someone is treated, not insured
    move_from: tuple[str, ...]  # right before where a move starts: 从, from (see moves.py)
    their_side: tuple[str, ...]  # after "to + a relative": "转到女儿那边" (see moves.py)
    to_mine: tuple[str, ...]  # right before "mine": the speaker's account, "bind him to mine"
    determiners: tuple[str, ...]  # between a person and a card: "他那医保卡", "用他自己的个账"
    ask_for: tuple[str, ...]  # before a relative one asks for: "帮我爸问一下" (see owner.py)
    ask_words: tuple[str, ...]  # ... and after them
    asking_for: tuple[str, ...]  # both at once, before the relative: "asking for my dad"
    like_me: tuple[str, ...]  # after a place: where the speaker is too, "跟我一样", "like mine"
    care_in: tuple[str, ...]  # between care and a place: "pharmacies in Sanya" (see away.py)
    here: tuple[str, ...]  # care or the card used where the speaker is: "pharmacies here"
    returning: tuple[str, ...]  # before a place one goes back to: 回, returned to
    sojourn_before: tuple[str, ...]  # before it: "wintering in Sanya"
    sojourn: tuple[str, ...]  # after a place one only stays at: "在三亚过冬" (see away.py)
    outside: tuple[str, ...]  # places outside the mainland's insurance: 香港, abroad
    used_in: tuple[str, ...]  # right before a place: the card used there, "use my yibao in"
    insured_there: tuple[str, ...]  # after a place: insured in it, "and insured there"
    studying: tuple[str, ...]  # after a relative's place: "在西安上大学" (see away.py)
    studying_in: tuple[str, ...]  # ... before it: "studies in Xiamen"
    school_insured: tuple[str, ...]  # after it: insured there or through the school, 学校交的
    for_me: tuple[str, ...]  # between a place and an insurance word: "广州给我交的医保"
    visiting: tuple[str, ...]  # before a relative's place: they only come there, "她来厦门玩"
    relative_in: tuple[str, ...]  # between a relative and their place: "my mother in Shanghai"
    they: tuple[str, ...]  # several others, not the speaker: "they're both in" (places.py)
    too: tuple[str, ...]  # ... unless said to be there too: "他们也在", "they're also in"
    both: tuple[str, ...]  # relatives said to be there together: "my parents are both in"
    we: tuple[str, ...]  # the speaker with others: 我们, 俺们, 我哋, we (see together.py)
    also: tuple[str, ...]  # 都/也/both after "we": "俺们都是淄博的"
    all_of_us: tuple[str, ...]  # opening a clause after a relative is named: "…，都是株洲的"
    our_insurance: tuple[str, ...]  # between "we" and 都: "我俩医保都在赣州"
    me_too: tuple[str, ...]  # ending a clause after a relative's place: "我也是", "me too"
    parents_in_law: tuple[str, ...]  # a spouse's parents: 婆婆, MIL (see viewpoint.py)
    mother_side: tuple[str, ...]  # a mother and her parents: 妈, 外婆 (see viewpoint.py)
    father_side: tuple[str, ...]  # a father and his parents: 爸, 奶奶
    he: tuple[str, ...]  # pronouns for a man only: his, him (not 他, often written for anyone)
    she: tuple[str, ...]  # pronouns for a woman only: her, 她
    male_kin: tuple[str, ...]  # kin words for a man: husband, 老公 (see owner.py)
    female_kin: tuple[str, ...]  # kin words for a woman: wife, 老婆
    each: tuple[str, ...]  # "一个在A一个在B": one in each place (see each.py)
    that_one_is_me: tuple[str, ...]  # after one of them: "宜宾那个是我"
    i_am_the_one: tuple[str, ...]  # before one of them: "我係江門嗰個", "I'm the one in"
    that_one: tuple[str, ...]  # ... and after it: 嗰个, 那个
    shops: tuple[str, ...]  # where, not what, when something else is bought: "药店买维生素"
    account_money: tuple[str, ...]  # the account's money besides the card words: 余额, balance
    i_will: tuple[str, ...]  # before care the speaker gets themself: "我想去打九价", "my own"
    not_for_me: tuple[str, ...]  # ... unless one of these stands between: 买, buy, 给, for
    introducing: tuple[str, ...]  # 本人, 我本人: the speaker, maybe only introducing themself
    introduces: tuple[str, ...]  # after 本人: who the speaker is, not "for myself": "本人台湾人"
    plural_kin: tuple[str, ...]  # ending a kin word that names several: 爸妈, 公婆 (their/他们)
    unmarried: tuple[str, ...]  # a partner (对象) not married is not a spouse: "我俩没领证"
    their_place: tuple[str, ...]  # after a relative: where they live, "女儿那里", "老公工作的城市"
    beside: tuple[str, ...]  # before a relative: where one lives, "near my daughter"
    looks_after: tuple[str, ...]  # before a relative only looked after: "帮忙带娃" (pronouns)
    needs: tuple[str, ...]  # after a relative, before care they get: "外孙女要打疫苗"
    hearsay: tuple[str, ...]  # after a relative, who told the speaker: "同事说", "moms here say"
    speaker_gaps: tuple[str, ...]  # between a relative and what they say: "我妈也说"
    pays_for: tuple[str, ...]  # a bare paying verb after who is paid for: "帮佢交吗" (premium.py)
    question_ends: tuple[str, ...]  # ... or after the account: "个账交吗"
    pay_fillers: tuple[str, ...]  # between the account and that verb: "医保的钱来交"
    they_too: tuple[str, ...]  # after a relative, after the speaker's place: "baby too", "也是"
    so_is: tuple[str, ...]  # ... or before them: "and so is my wife"
    heir_claims: tuple[
        str, ...
    ]  # after the speaker, claiming a dead holder's money: 继承 (heirs.py)
    heir_plural: tuple[str, ...]  # right after 我: several people, "我们" (not a claimant alone)
    heir_group: tuple[str, ...]  # ... unless named as the holder's children: 我们做子女的
    heir_group_alone: tuple[str, ...]  # the same with no 我 before: "us kids", "as his children"
    heir_to: tuple[str, ...]  # before a relative the money goes to: "转到我妈的卡上"
    heir_or: tuple[str, ...]  # between heirs asked between: "配偶还是子女", "wife or kids"
    move_to: tuple[str, ...]  # right before where one moves: 转去, 调到, moving to (moves.py)
    back_home: tuple[str, ...]  # a transfer back to a hometown named elsewhere: 转回老家
    towns: tuple[str, ...]  # after a name: a town of that name, "长安镇" (shared.py)
    countryside: tuple[str, ...]  # ... unless these follow: "梅州乡下"


def build_grammar(
    section: Mapping[str, Any],
    words: Callable[[str], tuple[str, ...]],
    level_words: Mapping[str, str],
) -> Grammar:
    """The Grammar of a `grammar` section; `words(key)` gives one list, checked and normalized.
    Every field is a plain word list except the few built here."""
    values: dict[str, Any] = {
        f.name: words(f.name) for f in fields(Grammar) if f.name != "level_words"
    }
    values["location_gaps"] = frozenset(("", *values["location_gaps"]))
    values["level_words"] = level_words
    # Longest first, so "我住在" is removed before "住在" (latin ones as whole words, normal.py).
    values["place_fillers"] = tuple(sorted(values["place_fillers"], key=len, reverse=True))
    return Grammar(**values)
