"""Data checks for flows/regions.yaml (GB/T 2260 province-level divisions + named cities)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REGIONS_FILE = Path(__file__).resolve().parents[2] / "flows" / "regions.yaml"

REQUIRED_KEYS = ("code", "name", "short", "en", "hant", "hant_short", "aliases")
ALLOWED_KEYS = {*REQUIRED_KEYS, "cities", "parent_city"}
NAME_KEYS = ("name", "short", "hant", "hant_short")

# Cities (and counties) the brief requires, by province code: {name: code}.
EXPECTED_CITIES = {
    "220000": {"吉林市": "220200", "长春市": "220100"},
    "440000": {"深圳市": "440300", "广州市": "440100", "东莞市": "441900"},
    "510000": {"成都市": "510100", "自贡市": "510300"},
    "370000": {"临沂市": "371300", "烟台市": "370600"},
    "330000": {"台州市": "331000", "三门县": "331022"},
    "610000": {"西安市": "610100"},
    "320000": {"扬州市": "321000"},
    "340000": {"合肥市": "340100", "淮北市": "340600", "马鞍山市": "340500"},
    "230000": {"鹤岗市": "230400"},
    "360000": {"新余市": "360500"},
    "210000": {"鞍山市": "210300"},
    "650000": {"克拉玛依市": "650200", "石河子市": "659001"},
    "460000": {"昌江黎族自治县": "469026"},
}

# Province-level divisions that must be present (spot checks; the full count is checked too).
EXPECTED_PROVINCES = {
    "110000": "北京市",
    "120000": "天津市",
    "310000": "上海市",
    "500000": "重庆市",
    "150000": "内蒙古自治区",
    "450000": "广西壮族自治区",
    "540000": "西藏自治区",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
    "220000": "吉林省",
    "460000": "海南省",
}


@pytest.fixture(scope="module")
def data() -> dict:
    with REGIONS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def provinces(data) -> list[dict]:
    assert isinstance(data, dict) and set(data) == {"regions"}
    regs = data["regions"]
    assert isinstance(regs, list)
    return regs


def all_entries(provinces):
    """Yield (province, entry) for every province and city; province entries yield (p, p)."""
    for p in provinces:
        yield p, p
        for c in p.get("cities") or []:
            yield p, c


def test_thirty_one_provinces(provinces):
    assert len(provinces) == 31
    codes = [p["code"] for p in provinces]
    assert codes == sorted(codes), "provinces must be ordered by code"
    kinds = [p["name"][-1] for p in provinces]
    assert sum(n.endswith("自治区") for n in (p["name"] for p in provinces)) == 5
    assert kinds.count("市") == 4  # municipalities
    assert kinds.count("省") == 22
    names = {p["name"] for p in provinces}
    assert not names & {"香港特别行政区", "澳门特别行政区", "台湾省"}
    by_code = {p["code"]: p["name"] for p in provinces}
    for code, name in EXPECTED_PROVINCES.items():
        assert by_code.get(code) == name


def test_entry_schema(provinces):
    for _, e in all_entries(provinces):
        assert set(e) <= ALLOWED_KEYS, (e.get("code"), set(e) - ALLOWED_KEYS)
        for k in REQUIRED_KEYS:
            assert k in e, (e.get("code"), k)
        for k in ("code", *NAME_KEYS, "en"):
            assert isinstance(e[k], str) and e[k].strip() == e[k] and e[k], (e["code"], k)
        assert isinstance(e["aliases"], list)
        for a in e["aliases"]:
            assert isinstance(a, str) and a and a == a.strip(), (e["code"], a)
            assert a == a.lower(), f"alias {a!r} of {e['code']} should be lowercase"
    for p in provinces:
        for c in p.get("cities") or []:
            assert "cities" not in c, c["code"]


def test_codes(provinces):
    seen = set()
    for p, e in all_entries(provinces):
        code = e["code"]
        assert re.fullmatch(r"\d{6}", code), code
        assert code not in seen, f"duplicate code {code}"
        seen.add(code)
        if e is p:
            assert code.endswith("0000"), code
        else:
            assert not code.endswith("0000"), code
            assert code[:2] == p["code"][:2], (p["code"], code)
    for p in provinces:
        city_codes = {c["code"] for c in p.get("cities") or []}
        for c in p.get("cities") or []:
            parent = c.get("parent_city")
            if parent is not None:
                assert parent in city_codes, (c["code"], parent)
                assert parent.endswith("00") and c["code"][:4] == parent[:4], (c["code"], parent)


def test_names_and_aliases_unique(provinces):
    owner: dict[str, str] = {}
    for _, e in all_entries(provinces):
        own_names = {e[k].lower() for k in NAME_KEYS}
        keys = set(own_names) | {e["en"].lower()}
        for a in e["aliases"]:
            assert a.lower() not in own_names, f"{e['code']}: alias {a!r} repeats a name"
        assert len(e["aliases"]) == len({a.lower() for a in e["aliases"]}), e["code"]
        keys |= {a.lower() for a in e["aliases"]}
        for k in keys:
            other = owner.setdefault(k, e["code"])
            assert other == e["code"], f"{k!r} used by both {other} and {e['code']}"


def test_jilin_short_belongs_to_province(provinces):
    index = {}
    for _, e in all_entries(provinces):
        for k in (*(e[n] for n in NAME_KEYS), e["en"], *e["aliases"]):
            index[k.lower()] = e["code"]
    assert index["吉林"] == "220000"
    assert index["jilin"] == "220000"
    assert index["吉林市"] == "220200"
    assert index["jilin city"] == "220200"
    assert index["jilinshi"] == "220200"


def test_expected_cities_present(provinces):
    by_code = {p["code"]: p for p in provinces}
    for prov_code, cities in EXPECTED_CITIES.items():
        assert prov_code in by_code, prov_code
        have = {c["name"]: c["code"] for c in by_code[prov_code].get("cities") or []}
        for name, code in cities.items():
            assert have.get(name) == code, (prov_code, name, have.get(name), code)
    sanmen = next(c for c in by_code["330000"]["cities"] if c["code"] == "331022")
    assert sanmen.get("parent_city") == "331000"
    shihezi = next(c for c in by_code["650000"]["cities"] if c["code"] == "659001")
    assert "parent_city" not in shihezi  # directly under the region
