"""The question and option ids the code relies on, declared once.

Content lives in flows/; most ids there are free to change. These are the ones Python code
names (to skip a question, read a place, imply a category, ...). Loading the flow checks that
flows/questions.yaml defines every one of them and names the file and line when it does not,
so renaming one in the YAML fails `python -m bot check` instead of breaking code silently.
"""

from __future__ import annotations

# --- questions ----------------------------------------------------------------------------------
PROVINCE = "province"
CITY = "city"
INSURANCE = "insurance"
CATEGORY = "category"
ITEM = "item"
RELATIVE = "relative"
SCOPE = "scope"

# --- options (by question) --------------------------------------------------------------------
NATIONWIDE = "000000"  # province: no particular province
OTHER_CITY = "other"  # city: a city the regions file does not list
RESIDENT = "resident"  # insurance: 城乡居民医保, which has no personal account
SELF = "self"  # relative: the account holder
OTHER_PERSON = "other"  # relative: anyone outside the close family
# relative: close kin, which "A的B" composes ("老婆的妈妈" is an in-law: understand/kin.py)
SPOUSE, PARENT, CHILD, SIBLING = "spouse", "parent", "child", "sibling"
GRANDPARENT, GRANDCHILD = "grandparent", "grandchild"
# item: the most asked ones, offered as quick picks under /start and on an empty inline query
PHARMACY_DRUGS = "pharmacy_drugs"
OUTPATIENT = "outpatient"
VACCINE = "vaccine"
PHYSICAL_EXAM = "physical_exam"
WITHDRAWAL = "withdrawal"
POPULAR_ITEMS = (PHARMACY_DRUGS, OUTPATIENT, VACCINE, PHYSICAL_EXAM, WITHDRAWAL)
TRANSFER = "transfer"  # item: moving the insurance elsewhere (where the account is: ask)
OFFSITE_CARE = "offsite_care"  # item: care away from where the account is ("燕郊的药店")
RESIDENT_PREMIUM = "resident_premium"  # item: a relative's 城乡居民医保 premium
BALANCE_EXHAUSTED = "balance_exhausted"  # item: the account is empty ("个账用完了")
SAME_AREA = "same_area"  # scope: the relative is insured in the holder's own area
SAME_PROVINCE = "same_province"  # scope: elsewhere in the same province
OTHER_PROVINCE = "other_province"  # scope: in another province

QUESTIONS = (PROVINCE, CITY, INSURANCE, CATEGORY, ITEM, RELATIVE, SCOPE)
OPTIONS: dict[str, tuple[str, ...]] = {
    PROVINCE: (NATIONWIDE,),
    CITY: (OTHER_CITY,),
    INSURANCE: (RESIDENT,),
    ITEM: (*POPULAR_ITEMS, OFFSITE_CARE, RESIDENT_PREMIUM, BALANCE_EXHAUSTED),
    RELATIVE: (SELF, OTHER_PERSON, SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT, GRANDCHILD),
    SCOPE: (SAME_AREA, SAME_PROVINCE, OTHER_PROVINCE),
}
