"""The grid domain's messages in Chinese (register_translations; English is the key), and the
lookup its pictures use before the pages' own translation applies."""

from __future__ import annotations

__all__ = ["PAGES", "REPORTS", "tr"]

ZH = {
    "Hourly electricity": "逐时电力",
    "Hourly electricity: load, clean supply and unmatched load": (
        "逐时电力：负荷、清洁电力供应与未匹配负荷"
    ),
    "No hourly grid data stored for this organisation yet.": "本组织尚未存储逐时电网数据。",
    "Facility": "设施",
    "Load (MWh)": "负荷（兆瓦时）",
    "Clean supply (MWh)": "清洁电力供应（兆瓦时）",
    "Unmatched load (MWh)": "未匹配负荷（兆瓦时）",
    "24/7 CFE score by month and hour": "按月份和小时的 24/7 无碳电力得分",
    "Day of year": "年内日序",
    "Hour of day (UTC)": "一天中的小时（UTC）",
    "Month": "月份",
    "Annual 24/7 CFE score": "全年 24/7 无碳电力得分",
    "Hourly-matched share": "逐时匹配比例",
    "Grid": "电网",
}
PAGES = {"zh-CN": ZH}
REPORTS = {
    "en": {"grid.cfe": "24/7 CFE score by month and hour (UTC)"},
    "zh-CN": {"grid.cfe": "按月份和小时（UTC）的 24/7 无碳电力得分"},
}


def tr(text: str, lang: str) -> str:
    """`text` in `lang` (English when there is no translation)."""
    return PAGES.get(lang, {}).get(text, text)
