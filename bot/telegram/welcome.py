"""First contact: what /start and /help say, the quick picks, and the offer of last time's answers.

A new user's /start opens with what the bot does, an example to type and the disclaimer, then
buttons for the most asked items above the first question. A returning user (their place and
insurance were remembered) is offered "上次：吉林 · 长春 · 职工医保（在职） [沿用] [更改]" with the
same quick picks, which then skip everything already known: the parents' pharmacy question takes
three taps.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core import i18n, ids
from bot.core.engine import Engine
from bot.core.i18n import N_
from bot.render.html import HtmlRenderer
from bot.render.text import Button, Reply
from bot.telegram.common import POPULAR_ITEMS
from bot.telegram.send import esc

INTRO = N_("我帮你查：职工医保个人账户里的钱，能不能付某项费用、给哪位家人用。")
TYPE_IT = N_("可以直接打字问，比如：{example}")
EXAMPLE = N_("长春 给我妈买药")
NOT_ADVICE = N_("答案附依据和出处，仅供参考，以当地医保部门为准。")
PICK_OR_START = N_("点一个常见问题，或者从地区开始：")
LAST_TIME = N_("上次：{what}")
KEEP = N_("✅ 沿用")
CHANGE = N_("✏️ 更改")
PICK = N_("或者直接点一个常见问题：")
HINT = N_("想问别的？直接打字，比如“{example}”，或者点上面消息里的按钮。")
NOT_TEXT = N_("我只看得懂文字和按钮。可以直接打字问，比如“{example}”。")
HELP = N_(
    "我帮你查：职工医保个人账户里的钱，能不能付某项费用、给哪位家人用、你那里有没有特别规定。"
    "每个答案都写明依据和出处。"
)
HELP_MENU = N_("发送 /start，一步步选，一般点三到六下就有答案。")
HELP_TYPE = N_("比如“{example}”，我只追问没说清的部分。")
HELP_INLINE = N_("输入 {inline}，选一个答案发出去；家人点答案下面的链接，就能看到同一个答案。")
HELP_GROUPS = N_(
    "发送 /ask 打开你自己的菜单，每人一份，互不干扰。管理员可以用 /setregion 设置本群默认地区、"
    "/setlang 设置语言、/quiet 只响应命令、/stats 查看统计。"
)
HELP_COMMANDS = N_(
    "/restart 从头开始 · /cancel 结束并删除这次问答 · /language 切换语言 · /forget 删除关于你的全部数据"
)
HELP_PRIVACY = N_(
    "我只保存你的选择和上次的地区、医保类型，不保存聊天内容；闲置30天后自动删除。"
    "结果仅供参考，请以当地医保部门为准。"
)
HEADINGS = (N_("点按钮"), N_("直接打字"), N_("在任何聊天里"), N_("在群里"))
_ICONS = {
    ids.PHARMACY_DRUGS: "💊",
    ids.OUTPATIENT: "🩺",
    ids.VACCINE: "💉",
    ids.PHYSICAL_EXAM: "📋",
    ids.WITHDRAWAL: "💴",
}


class Welcome:
    def __init__(self, engine: Engine, renderer: HtmlRenderer) -> None:
        self.engine = engine
        self.renderer = renderer

    def intro(self, locale: str) -> list[str]:
        t = i18n.translations(locale).gettext
        example = f"<i>{esc(t(EXAMPLE))}</i>"
        return [
            f"<b>{esc(t(INTRO))}</b>",
            esc(t(TYPE_IT)).format(example=example),
            esc(t(NOT_ADVICE)),
        ]

    def picks(self, locale: str) -> tuple[tuple[Button, ...], ...]:
        """The most asked items, two a row; each starts from what is remembered."""
        item = self.engine.flow.question(ids.ITEM)
        buttons = []
        for oid in POPULAR_ITEMS:
            option = item.option(oid)
            if option is None:
                continue
            label = self.renderer.option_label(item, option, locale)
            payload = self.engine.payload_for({ids.ITEM: oid})
            buttons.append(Button(f">{payload}", f"{_ICONS.get(oid, '•')} {label}"))
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def first(self, question: Reply, locale: str) -> Reply:
        """A new user's /start: the intro, the quick picks, then the first question."""
        t = i18n.translations(locale).gettext
        text = "\n".join([*self.intro(locale), "", esc(t(PICK_OR_START)), question.text])
        return Reply(text, (*self.picks(locale), *question.rows), "question")

    def returning(self, remembered: Mapping[str, str], locale: str) -> Reply:
        """A returning user's /start: last time's place and insurance, to keep or change."""
        t = i18n.translations(locale).gettext
        what = self.last_time(remembered, locale)
        lines = [
            *self.intro(locale),
            "",
            f"<b>{esc(t(LAST_TIME).format(what=what))}</b>",
            esc(t(PICK)),
        ]
        keep = (Button(">", t(KEEP)), Button("_restart", t(CHANGE)))
        return Reply("\n".join(lines), (keep, *self.picks(locale)), "question")

    def last_time(self, remembered: Mapping[str, str], locale: str) -> str:
        flow = self.engine.flow
        parts = []
        code = remembered.get(ids.CITY)
        if not code or code == ids.OTHER_CITY:
            code = remembered.get(ids.PROVINCE)
        if code:
            parts.append(self.renderer.region_name(code, locale))
        insurance = flow.question(ids.INSURANCE)
        option = insurance.option(remembered.get(ids.INSURANCE, ""))
        if option is not None:
            parts.append(self.renderer.option_label(insurance, option, locale))
        return " · ".join(parts)

    def help(self, locale: str, username: str) -> str:
        t = i18n.translations(locale).gettext
        example = f"<i>{esc(t(EXAMPLE))}</i>"
        inline = f"<code>@{esc(username)} {esc(t('吉林 父母 疫苗'))}</code>"
        menu, typed, anywhere, groups = (f"<b>{esc(t(h))}</b>" for h in HEADINGS)
        return "\n\n".join(
            [
                esc(t(HELP)),
                f"{menu}\n{esc(t(HELP_MENU))}",
                f"{typed}\n{esc(t(HELP_TYPE)).format(example=example)}",
                f"{anywhere}\n{esc(t(HELP_INLINE)).format(inline=inline)}",
                f"{groups}\n{esc(t(HELP_GROUPS))}",
                esc(t(HELP_COMMANDS)),
                esc(t(HELP_PRIVACY)),
            ]
        )

    def hint(self, locale: str, not_text: bool = False) -> str:
        """One line for small talk or a sticker, instead of the whole card again."""
        t = i18n.translations(locale).gettext
        return esc(t(NOT_TEXT if not_text else HINT).format(example=t(EXAMPLE)))
