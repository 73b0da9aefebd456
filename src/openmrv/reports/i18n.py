"""Every report string in English and Simplified Chinese, in one place.

A plain message catalogue (key -> text per language) rather than gettext files: the reports have
a few hundred short labels, the tests check that both languages cover every key, and nothing has
to be compiled. Column headers of the regulator tables are bilingual by design ("English 中文").
"""

from __future__ import annotations

from openmrv import plugins

LANGS = ("en", "zh-CN")

MESSAGES: dict[str, tuple[str, str]] = {
    # report titles and sections
    "report.title": ("OpenMRV emissions report", "OpenMRV 温室气体排放报告"),
    "report.generated": ("Generated from run", "计算批次"),
    "report.editions": ("Pinned factor editions", "锁定的排放因子版本"),
    "report.provisional": (
        "Results using provisional factors are marked; see the factor ids.",
        "使用暂定因子的结果已标注，见因子编号。",
    ),
    "section.inventory": (
        "Corporate inventory (GHG Protocol)",
        "企业温室气体清单(温室气体核算体系)",
    ),
    "section.scope2": ("Scope 2: location-based and market-based", "范围二：基于位置与基于市场"),
    "section.part98": (
        "EPA 40 CFR Part 98 Subpart C facility report",
        "美国环保署 40 CFR 98 C 部分设施报告",
    ),
    "section.mee": ("China MEE enterprise report", "中国生态环境部企业温室气体排放报告"),
    "section.ipcc": ("IPCC 2006 categories", "IPCC 2006 排放类别"),
    "section.compare": ("Methodology comparison", "核算方法比较"),
    "section.targets": ("Targets and progress", "目标与进展"),
    "section.restatement": ("Restatement", "重新计算"),
    "chart.scopes": (
        "Emissions by organisation and scope (t CO2e)",
        "各组织分范围排放(吨二氧化碳当量)",
    ),
    "chart.waterfall": ("Why the methods differ (t CO2e)", "方法差异分解(吨二氧化碳当量)"),
    "chart.targets": ("Progress towards targets (t CO2e)", "目标进展(吨二氧化碳当量)"),
    "chart.intensity_axis": ("t CO2e per unit of output", "吨二氧化碳当量/单位产出"),
    "chart.ipcc": ("Emissions by IPCC category (t CO2e)", "按 IPCC 类别的排放(吨二氧化碳当量)"),
    # inventory
    "scope.1": ("Scope 1", "范围一"),
    "scope.2_location": ("Scope 2 (location-based)", "范围二(基于位置)"),
    "scope.2_market": ("Scope 2 (market-based)", "范围二(基于市场)"),
    "scope.biogenic": ("Biogenic CO2 (outside the scopes)", "生物质二氧化碳(范围外单列)"),
    "boundary.equity_share": ("equity share", "股权比例法"),
    "boundary.operational_control": ("operational control", "运营控制权法"),
    "boundary.financial_control": ("financial control", "财务控制权法"),
    "category.stationary_combustion": ("stationary combustion", "固定源燃烧"),
    "category.mobile_combustion": ("mobile combustion", "移动源燃烧"),
    "category.refrigerant": ("refrigerants (fugitive)", "制冷剂(逸散)"),
    "category.process": ("process", "工业过程"),
    "category.purchased_electricity": ("purchased electricity", "外购电力"),
    "category.purchased_heat": ("purchased heat and steam", "外购热力"),
    "category.ccs_transfer": ("CCS transfer", "碳捕集转移"),
    **{f"category.scope3_{n}": (f"Scope 3 category {n}", f"范围三 类别{n}") for n in range(1, 16)},
    "col.scope3_tagged_t": ("Scope 3 (tagged records) t CO2e", "范围三(标注记录)(吨)"),
    "rung.certificate": ("energy attribute certificates", "能源属性证书"),
    "rung.contract": ("contracts (PPA, green-power trading)", "合同(购电协议、绿电交易)"),
    "rung.supplier": ("supplier-specific factor", "供应商特定因子"),
    "rung.residual": ("residual mix", "剩余电力组合"),
    "rung.grid_average": ("grid average (no residual mix)", "电网平均(无剩余组合)"),
    # columns (bilingual headers are built from these)
    "col.facility_id": ("Facility", "设施"),
    "col.scope1_t": ("Scope 1 t CO2e", "范围一(吨二氧化碳当量)"),
    "col.scope2_location_t": ("Scope 2 location-based t CO2e", "范围二基于位置(吨)"),
    "col.scope2_market_t": ("Scope 2 market-based t CO2e", "范围二基于市场(吨)"),
    "col.mwh": ("MWh", "兆瓦时"),
    "col.t_co2e_per_mwh": ("t CO2e/MWh", "吨二氧化碳当量/兆瓦时"),
    "col.rung": ("Hierarchy level", "数据层级"),
    "col.instrument_ids": ("Instruments", "合同工具"),
    "col.target_id": ("Target id", "目标编号"),
    "col.kind": ("Kind", "类型"),
    "col.pinned_t": ("Pinned t CO2e", "锁定版本(吨)"),
    "col.restated_t": ("Restated t CO2e", "重述(吨)"),
    "col.delta_t": ("Change t CO2e", "变化(吨)"),
    "col.change": ("Change (fraction)", "变化比例"),
    "col.records_changed": ("Records changed", "变化记录数"),
    "col.significant": ("Significant", "是否重大"),
    "col.co2e_emissions": ("t CO2e", "吨二氧化碳当量"),
    "report.records": ("records", "条记录"),
    "col.facility_name": ("Facility name", "设施名称"),
    "col.organization_id": ("Organisation", "组织"),
    "col.year": ("Year", "年度"),
    "col.share": ("Consolidated share", "合并比例"),
    "col.scope": ("Scope", "范围"),
    "col.category": ("Category", "类别"),
    "col.co2e_t": ("t CO2e", "吨二氧化碳当量"),
    "col.consolidated_t": ("Consolidated t CO2e", "合并后吨二氧化碳当量"),
    "col.biogenic_co2_t": ("Biogenic CO2 t", "生物质二氧化碳(吨)"),
    "col.unit": ("Unit", "排放单元"),
    "col.fuel": ("Fuel", "燃料"),
    "col.tier": ("Tier", "层级"),
    "col.quantity": ("Fuel quantity", "燃料消耗量"),
    "col.quantity_unit": ("Quantity unit", "计量单位"),
    "col.heat_gj": ("Heat input GJ", "热量(GJ)"),
    "col.co2_t": ("CO2 t", "二氧化碳(吨)"),
    "col.ch4_t": ("CH4 t", "甲烷(吨)"),
    "col.n2o_t": ("N2O t", "氧化亚氮(吨)"),
    "col.above_threshold": ("At or above 25,000 t CO2e", "达到 25,000 吨二氧化碳当量"),
    "col.ncv_source": ("NCV source", "低位发热量来源"),
    "col.cc_source": ("Carbon content source", "单位热值含碳量来源"),
    "col.of_source": ("Oxidation rate source", "碳氧化率来源"),
    "col.activity": ("Activity data", "活动数据"),
    "col.activity_unit": ("Activity unit", "活动数据单位"),
    "col.ef": ("Emission factor t CO2 per unit", "排放因子(吨二氧化碳/单位)"),
    "col.ipcc_category": ("IPCC category", "IPCC 类别"),
    "col.ipcc_name": ("Category name", "类别名称"),
    "col.state_province": ("State / province", "州 / 省"),
    "col.country": ("Country", "国家"),
    "col.sector": ("Sector", "行业"),
    "col.methodology": ("Methodology", "核算方法"),
    "col.cause": ("Cause", "原因"),
    "col.effect_t": ("Effect t CO2e", "影响(吨二氧化碳当量)"),
    "col.target": ("Target", "目标"),
    "col.actual": ("Actual", "实际"),
    "col.on_track": ("On track", "是否达标"),
    "table.mee_fuel": ("Table 1 fuel combustion", "表1 化石燃料燃烧排放"),
    "table.mee_process": ("Table 2 process emissions", "表2 工业生产过程排放"),
    "table.mee_energy": (
        "Table 3 purchased electricity and heat",
        "表3 净购入电力和热力隐含的排放",
    ),
    "table.mee_total": ("Table 4 totals", "表4 排放总量"),
    "source.measured": ("measured", "实测"),
    "source.default": ("default", "缺省值"),
    "mee.no_process": ("No process emission records.", "无工业生产过程排放记录。"),
    # comparison causes
    "cause.heating_value": (
        "heating value and basis (HHV vs NCV)",
        "热值及其基准(高位 vs 低位)",
    ),
    "cause.density": (
        "heating value through a fuel density (mass ↔ volume)",
        "经燃料密度换算的热值(质量 ↔ 体积)",
    ),
    "cause.carbon_content": ("carbon content", "含碳量"),
    "cause.oxidation": ("oxidation", "碳氧化率"),
    "cause.non_co2_factors": ("CH4/N2O factors", "甲烷/氧化亚氮因子"),
    "cause.gwp": ("GWP set", "全球增温潜势版本"),
    "cause.grid_factor": ("grid factor", "电网排放因子"),
    "cause.other_factor": ("other factors (heat, fuel-volume)", "其他因子(热力、燃料体积)"),
    "cause.coverage": ("computed by one method only", "仅一种方法计算"),
    "cause.gases_one_method": (
        "gases one method does not count (CH4/N2O)",
        "仅一种方法计入的气体(甲烷/氧化亚氮)",
    ),
    # coverage of totals (reports.coverage)
    "coverage.complete": ("complete", "完整"),
    "coverage.partial": (
        "⚠ partial: {n} of {m} records not computed ({shares} of the quantity)",
        "⚠ 不完整：{m} 条记录中 {n} 条未计算(占活动量：{shares})",
    ),
    "coverage.outside": (
        "; {k} records outside its categories, listed",
        "；另有 {k} 条记录不属于其核算类别，已列出",
    ),
    # reporting obligations (reports.obligations)
    "section.obligations": ("Reporting obligations", "报告义务"),
    "programme.EPA_GHGRP": (
        "US EPA Greenhouse Gas Reporting Program (40 CFR 98)",
        "美国环保署温室气体报告计划(40 CFR 98)",
    ),
    "programme.CN_ETS": (
        "China national carbon market (power generation)",
        "全国碳排放权交易市场(发电行业)",
    ),
    "programme.CN_ETS_ENTERPRISE": (
        "China MEE enterprise GHG emission reporting",
        "生态环境部企业温室气体排放报告",
    ),
    "obligation.declared": ("declared in the facilities file", "设施文件中已申报"),
    "obligation.threshold": ("threshold reached", "达到纳入门槛"),
    "obligation.below": ("below the threshold, not declared", "低于门槛且未申报"),
    "obligation.not_declared": (
        "applies only when declared; not declared",
        "仅在申报时适用；未申报",
    ),
    "obligation.not_power": (
        "threshold reached, but not a power-sector facility and not declared",
        "达到排放量门槛，但不属于发电行业且未申报",
    ),
    "figures.EPA_GHGRP": (
        "Subpart C: CO2, CH4, N2O per unit and fuel; CO2e",
        "C 部分：按机组和燃料的二氧化碳、甲烷、氧化亚氮；二氧化碳当量",
    ),
    "figures.CN_ETS": (
        "fuel combustion CO2 and purchased electricity and heat (MEE tables 1-4)",
        "化石燃料燃烧二氧化碳及净购入电力和热力排放(生态环境部表1-4)",
    ),
    "figures.CN_ETS_ENTERPRISE": (
        "fuel combustion, process, purchased electricity and heat (MEE tables 1-4)",
        "化石燃料燃烧、工业过程、净购入电力和热力排放(生态环境部表1-4)",
    ),
    "then.EPA_GHGRP": ("EPA verification of the electronic report", "美国环保署对电子报告的核实"),
    "then.CN_ETS": (
        "provincial verification (by 30 June), then allowance surrender (date set per cycle)",
        "省级核查(6月30日前)，之后按当期规定日期清缴配额",
    ),
    "then.CN_ETS_ENTERPRISE": ("provincial verification", "省级核查"),
    "col.programme": ("Programme", "报告计划"),
    "col.programme_name": ("Programme name", "计划名称"),
    "col.applies": ("Applies", "是否适用"),
    "col.why": ("Why", "依据"),
    "col.figure_t": ("Figure t CO2e", "排放量(吨二氧化碳当量)"),
    "col.threshold_t": ("Threshold t CO2e", "门槛(吨二氧化碳当量)"),
    "col.threshold_reached": ("Threshold reached", "是否达到门槛"),
    "col.figures_wanted": ("Figures wanted", "所需数据"),
    "col.report_due": ("Report due", "报告截止日期"),
    "col.then": ("Then", "后续步骤"),
    "col.data_complete": ("Data complete", "数据是否完整"),
    "col.records_not_computed": ("Records not computed", "未计算记录数"),
    "col.submitted": ("Submitted", "已提交"),
    "col.verified": ("Verified", "已核查"),
    "col.rule": ("Rule", "依据条款"),
    "kind.mass": ("by mass", "按质量"),
    "kind.energy": ("by energy", "按能量"),
    "kind.volume": ("by volume", "按体积"),
    "kind.gas_volume": ("by gas volume", "按气体体积"),
    "col.coverage": ("Coverage", "完整性"),
    "col.coverage_scope1": ("Scope 1 coverage", "范围一完整性"),
    "col.coverage_scope2": ("Scope 2 coverage", "范围二完整性"),
    "col.records": ("Records", "记录数"),
    "col.categories": ("Categories held", "包含的类别"),
    "col.facility_coverage": ("Facility-year coverage", "设施年度完整性"),
    "col.not_computed_by": ("Not computed by", "未计算的方法"),
    "col.outside_categories": ("Outside its categories", "不属于其核算类别"),
    "col.not_computed": ("Not computed", "未计算"),
    "col.reason": ("Reason", "原因"),
    "col.record_ids": ("Record ids", "记录编号"),
    "col.scopes": ("Scopes and categories", "范围与类别"),
    "col.scope1_t_label": ("Scope 1 t CO2e", "范围一(吨二氧化碳当量)"),
    "col.scope2_t": ("Scope 2 (location-based) t CO2e", "范围二基于位置(吨)"),
    "col.primary_methodology": ("Primary methodology", "主要核算方法"),
    "col.fallback": ("From a fallback method", "来自备用方法"),
    "section.by_methodology": (
        "Totals by methodology, facility and scope",
        "按核算方法、设施和范围的排放总量",
    ),
    "compare.like_for_like": (
        "Each comparison holds only the records both methods computed; records only one of "
        "them computed are listed below it, by scope and reason, and are in neither total.",
        "每项比较只包含两种方法都计算了的记录；只有一种方法计算的记录按范围和原因列在其下，"
        "不计入任一总量。",
    ),
    "compare.only": ("Computed by one method only", "仅一种方法计算的记录"),
    "section.coverage": ("Records not computed, and why", "未计算的记录及原因"),
    "inventory.methods": (
        "Each facility's primary methodology: {primary}. Where it does not cover a category or "
        "gas, the first of these that does: {fallback} (marked as fallback).",
        "各设施的主要核算方法：{primary}。主要方法不涵盖的类别或气体，按以下顺序取首个可计算的方法："
        "{fallback}(标注为备用方法)。",
    ),
    "ipcc.methods": (
        "Rows come from the methodology named in each row.",
        "各行数据来自该行所列的核算方法。",
    ),
    "wf.start": ("start", "起点"),
    "wf.end": ("end", "终点"),
    # targets
    "target.absolute": ("absolute", "绝对量"),
    "target.intensity": ("intensity", "强度"),
    "target.peak": ("peak by year", "达峰年"),
    "target.pinned": ("pinned", "锁定版本"),
    "target.restated": ("restated", "重述"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    # Part 98 Subpart C columns: e-GGRT's field names in English (issue 15)
    "col.reporting_year": ("reporting_year", "报告年度"),
    "col.unit_name": ("unit_name", "机组名称"),
    "col.fuel_type": ("fuel_type", "燃料类型"),
    "col.fuel_quantity": ("fuel_quantity", "燃料用量"),
    "col.fuel_quantity_uom": ("fuel_quantity_uom", "燃料用量单位"),
    "col.annual_heat_input": ("annual_heat_input", "年热输入量"),
    "col.annual_heat_input_uom": ("annual_heat_input_uom", "年热输入量单位"),
    "col.biogenic_co2_emissions": ("biogenic_co2_emissions", "生物质二氧化碳排放(公吨)"),
    "col.gwp_set": ("gwp_set", "全球变暖潜势(GWP)版本"),
    "col.facility_co2e": ("facility_co2e", "设施二氧化碳当量合计(公吨)"),
    "col.tier1_co2_combustion_emissions": (
        "tier1_co2_combustion_emissions",
        "层级1二氧化碳燃烧排放(公吨)",
    ),
    "col.tier1_ch4_combustion_emissions": (
        "tier1_ch4_combustion_emissions",
        "层级1甲烷燃烧排放(公吨)",
    ),
    "col.tier1_n2o_combustion_emissions": (
        "tier1_n2o_combustion_emissions",
        "层级1氧化亚氮燃烧排放(公吨)",
    ),
    "col.tier2_co2_combustion_emissions": (
        "tier2_co2_combustion_emissions",
        "层级2二氧化碳燃烧排放(公吨)",
    ),
    "col.tier2_ch4_combustion_emissions": (
        "tier2_ch4_combustion_emissions",
        "层级2甲烷燃烧排放(公吨)",
    ),
    "col.tier2_n2o_combustion_emissions": (
        "tier2_n2o_combustion_emissions",
        "层级2氧化亚氮燃烧排放(公吨)",
    ),
    "col.tier3_co2_combustion_emissions": (
        "tier3_co2_combustion_emissions",
        "层级3二氧化碳燃烧排放(公吨)",
    ),
    "col.tier3_ch4_combustion_emissions": (
        "tier3_ch4_combustion_emissions",
        "层级3甲烷燃烧排放(公吨)",
    ),
    "col.tier3_n2o_combustion_emissions": (
        "tier3_n2o_combustion_emissions",
        "层级3氧化亚氮燃烧排放(公吨)",
    ),
    "col.tier4_co2_combustion_emissions": (
        "tier4_co2_combustion_emissions",
        "层级4二氧化碳燃烧排放(公吨)",
    ),
    "col.tier4_ch4_combustion_emissions": (
        "tier4_ch4_combustion_emissions",
        "层级4甲烷燃烧排放(公吨)",
    ),
    "col.tier4_n2o_combustion_emissions": (
        "tier4_n2o_combustion_emissions",
        "层级4氧化亚氮燃烧排放(公吨)",
    ),
    "table.more": (
        "… {n} more rows in the XLSX/CSV export.",
        "… 另有 {n} 行，见 XLSX/CSV 导出文件。",
    ),
}


def t(key: str, lang: str = "en") -> str:
    """The text of `key` in `lang` ('en' or 'zh-CN')."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    if key in MESSAGES:
        en, zh = MESSAGES[key]
        return en if lang == "en" else zh
    for tr in plugins.translations():  # a domain's report keys
        text = tr.reports.get(lang, {}).get(key)
        if text is not None:
            return text
    raise KeyError(f"no message {key!r} in the report catalogue")


def bilingual(key: str) -> str:
    """A header in both languages, for regulator tables: 'English 中文'."""
    return f"{t(key, 'en')} {t(key, 'zh-CN')}"


def label(column: str, lang: str) -> str:
    """A table column's label: the catalogue's 'col.<name>' when there is one, else the name."""
    if f"col.{column}" in MESSAGES:
        return t(f"col.{column}", lang)
    return column


def header(key: str, lang: str, both: bool = False) -> str:
    return bilingual(key) if both else t(key, lang)
