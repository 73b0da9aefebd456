"""Chinese for the problem and fix texts of validation and the store's refusals.

Validation writes its messages in English (the CLI and the API show them as they are), many
with values in them. Rather than a second copy of every rule, the pages translate the finished
text: fixed texts by exact match, texts with values through English templates whose `{name}`
placeholders match the values and carry them into the Chinese form unchanged (column names,
numbers, units, file names stay as the user wrote them). Placeholders named in `_TRANSLATED`
hold English words from a small fixed set (unit kinds, fuel states, column descriptions) and
are translated themselves.
"""

from __future__ import annotations

import re

EXACT: dict[str, str] = {
    # activity rules (ingest.validate._activity_rules)
    "record id is empty": "记录编号为空",
    "give every record a unique id": "为每条记录指定唯一的编号",
    "record ids must be unique within a file; a correction is a new version, not a copy": (
        "同一文件内的记录编号必须唯一；更正应作为该记录的新版本提交，而不是复制一行"
    ),
    "facility id is empty": "设施编号为空",
    "name the facility (its id in the facilities file)": "填写设施（设施文件中的设施编号）",
    "period start is empty": "期间起始日期为空",
    "period end is empty": "期间结束日期为空",
    "not a date in YYYY-MM-DD form": "不是 YYYY-MM-DD 格式的日期",
    "write dates as YYYY-MM-DD, e.g. 2024-01-01": "日期写成 YYYY-MM-DD，例如 2024-01-01",
    "write dates as YYYY-MM-DD, e.g. 2024-01-31": "日期写成 YYYY-MM-DD，例如 2024-01-31",
    "check the dates; were period_start and period_end swapped?": (
        "检查日期：period_start 和 period_end 是否填反了？"
    ),
    "period is longer than a year": "期间超过一年",
    "JSON nested too deeply": "JSON 嵌套过深",
    "write one flat object per record": "每条记录写成一个不嵌套的对象",
    "split the data into smaller files, or save it again as CSV": (
        "将数据拆分为较小的文件，或另存为 CSV"
    ),
    "write the file again with a Parquet writer's default encodings": (
        "用 Parquet 写入程序的默认编码重新写出文件"
    ),
    "split the record into periods of at most a year (monthly is best)": (
        "将记录拆分为不超过一年的期间（最好按月）"
    ),
    "this is a fuel, not a category: are columns 'fuel' and 'category' swapped?": (
        "这是燃料，不是类别：'fuel' 列和 'category' 列是否填反了？"
    ),
    "category is empty": "类别为空",
    "unknown category": "未知类别",
    "quantity is empty": "数量为空",
    "this is a unit and column 'unit' holds a number: are columns 'quantity' and 'unit' "
    "swapped?": "这是单位，而 'unit' 列中是数字：'quantity' 列和 'unit' 列是否填反了？",
    "not a number": "不是数字",
    "write a plain number with '.' as decimal point and no thousands separators": (
        "填写普通数字，以 '.' 作小数点，不加千位分隔符"
    ),
    "negative quantity": "数量为负数",
    "quantities are amounts consumed or released and must be ≥ 0; to correct an earlier "
    "record, submit a new version of it": (
        "数量是消耗量或排放量，必须 ≥ 0；如需更正以前的记录，请提交该记录的新版本"
    ),
    "unit is empty": "单位为空",
    "give the unit of quantity, see docs/units.md": "填写数量的单位，见 docs/units.md",
    "a number where the unit belongs: are columns 'quantity' and 'unit' swapped?": (
        "单位处填的是数字：'quantity' 列和 'unit' 列是否填反了？"
    ),
    "use one of the accepted units (docs/units.md)": "使用可接受的单位之一（见 docs/units.md）",
    "fuel is empty for a combustion record": "燃烧记录的燃料为空",
    "name the fuel (code or name from docs/fuels.md)": (
        "填写燃料（docs/fuels.md 中的燃料代码或名称）"
    ),
    "unknown fuel": "未知燃料",
    "use a fuel code or name from docs/fuels.md": "使用 docs/fuels.md 中的燃料代码或名称",
    "refrigerant is empty": "制冷剂为空",
    "unknown refrigerant or blend": "未知的制冷剂或混合制冷剂",
    "use a gas (e.g. HFC-134a) or an ASHRAE blend (e.g. R-410A) from docs/fuels.md": (
        "使用 docs/fuels.md 中的气体（如 HFC-134a）或 ASHRAE 混合制冷剂（如 R-410A）"
    ),
    "a gas volume needs reference conditions": "气体体积须注明参比状态",
    "solids: mass or energy; liquids: mass, volume or energy; gases: Nm3 or scf (volume at "
    "reference conditions), mass or energy": (
        "固体：质量或能量；液体：质量、体积或能量；气体：Nm3 或 scf（参比状态下的体积）、质量或能量"
    ),
    "give electricity in kWh or MWh, heat in GJ or mmBtu": (
        "电力以 kWh 或 MWh 计，热力以 GJ 或 mmBtu 计"
    ),
    "give the mass, e.g. in kg, lb or t": "填写质量，例如以 kg、lb 或 t 计",
    "must be HHV or NCV": "必须为 HHV 或 NCV",
    "write HHV (gross) or NCV (net)": "填写 HHV（高位）或 NCV（低位）",
    "say whether the energy is on a higher (HHV) or net (NCV) heating-value basis": (
        "注明能量以高位（HHV）还是低位（NCV）发热量为基准"
    ),
    "tier must be 1, 2, 3 or 4": "层级必须为 1、2、3 或 4",
    "leave tier empty to use the highest tier the measured data allow": (
        "层级留空，即采用实测数据所允许的最高层级"
    ),
    "tier 2 needs a measured HHV": "层级 2 需要实测的高位发热量",
    "fill hhv and hhv_unit": "填写 hhv 和 hhv_unit",
    "tier 3 needs a measured carbon content": "层级 3 需要实测的含碳量",
    "fill carbon_content and its unit": "填写 carbon_content 及其单位",
    "tier 4 needs CEMS-measured CO2": "层级 4 需要 CEMS 实测的二氧化碳",
    "fill measured_co2_t (metric tons)": "填写 measured_co2_t（吨）",
    "must be greater than zero": "必须大于零",
    "use a ratio of accepted units, see docs/units.md": "使用可接受单位的比值，见 docs/units.md",
    "give the heating value per unit of the quantity, e.g. mmBtu/short ton for tons": (
        "按数量的单位给出发热量，例如数量以短吨计时用 mmBtu/short ton"
    ),
    "give the net calorific value per unit of the quantity, e.g. GJ/t for tonnes": (
        "按数量的单位给出低位发热量，例如数量以吨计时用 GJ/t"
    ),
    "not a carbon content unit": "不是含碳量的单位",
    "use e.g. tC/GJ, kgC/kg, % or kgC/gal": "使用如 tC/GJ、kgC/kg、% 或 kgC/gal 的单位",
    "carbon content above 100 % of the fuel mass": "含碳量超过燃料质量的 100%",
    "check the value and its unit": "检查数值及其单位",
    "must be a fraction in (0, 1]": "必须是 (0, 1] 区间内的小数",
    "write the oxidation rate as a fraction, e.g. 0.98": "将碳氧化率写成小数，例如 0.98",
    "must be a molecular weight in kg/kmol (2 to 200)": "必须是以 kg/kmol 计的分子量（2 至 200）",
    "e.g. 16.8 for a typical natural gas": "例如典型天然气为 16.8",
    "must be a number ≥ 0 (metric tons of CO2)": "必须是 ≥ 0 的数（二氧化碳吨数）",
    "check the CEMS total": "检查 CEMS 总量",
    "must be a positive ratio in mmBtu per lb of steam": "必须是以 mmBtu/lb 蒸汽计的正比值",
    "divide the boiler's rated heat input by its design steam output": (
        "用锅炉的额定热输入除以其设计蒸汽产量"
    ),
    "with boiler_ratio_b the quantity is steam generated and needs a mass unit": (
        "填写 boiler_ratio_b 时，数量为产汽量，须使用质量单位"
    ),
    "give the steam in lb (or kg)": "蒸汽量以 lb（或 kg）计",
    "facility not in the facilities file": "设施不在设施文件中",
    "add the facility to the facilities file, or fix the id": "将该设施加入设施文件，或修正编号",
    # text rules (ingest.validate._text_rules)
    "shorten the value; ids are at most 100 characters": "缩短该值；编号最多 100 个字符",
    "starts with a spreadsheet formula character (= + - @ tab CR)": (
        "以电子表格公式字符开头（= + - @ 制表符 回车符）"
    ),
    "enter the plain value; formulas and formula-like text are refused to protect anyone who "
    "opens the data in a spreadsheet": (
        "填写普通值；为保护在电子表格中打开数据的人，公式及类似公式的文本一律拒收"
    ),
    # facilities rules (ingest.validate.validate_facilities)
    "give every facility an id": "为每个设施指定编号",
    "facility ids must be unique": "设施编号必须唯一",
    "organisation id is empty": "组织编号为空",
    "name the owning organisation": "填写所属组织",
    "name is empty": "名称为空",
    "give the facility a name": "为设施填写名称",
    "unsupported country": "不支持的国家",
    "use US or CN (ISO 3166-1 alpha-2)": "使用 US 或 CN（ISO 3166-1 二位字母代码）",
    "not an ISO 3166-2 code of the facility's country": "不是该设施所在国家的 ISO 3166-2 代码",
    "e.g. US-AZ or CN-JS": "例如 US-AZ 或 CN-JS",
    "unknown IPCC sector group": "未知的 IPCC 部门组",
    "e.g. 0.5 for a 50 % share": "例如股权为 50% 时填 0.5",
    "must be yes or no": "必须为 yes 或 no",
    "leave blank for yes (the organisation has this kind of control)": (
        "留空即为 yes（组织拥有此类控制权）"
    ),
    # reading files (ingest.readers)
    "file not found": "找不到文件",
    "check the path": "检查文件路径",
    "split the file, or use a partitioned Parquet dataset": "拆分文件，或使用分区的 Parquet 数据集",
    "file is empty": "文件为空",
    "export the data again with a header row and data rows": "重新导出数据，须包含表头行和数据行",
    "use .csv, .xlsx, .json or .parquet": "使用 .csv、.xlsx、.json 或 .parquet 文件",
    "file has a header but no data rows": "文件只有表头，没有数据行",
    "add the data rows": "添加数据行",
    "a column has an empty name": "有一列的列名为空",
    "name every column in the header row": "在表头行中为每一列命名",
    "keep one column of each name": "每个列名只保留一列",
    "save the file as UTF-8 (Excel: 'CSV UTF-8'); GBK/GB18030 and UTF-16 files must be "
    "converted": "将文件另存为 UTF-8 编码（Excel：'CSV UTF-8'）；GBK/GB18030 和 UTF-16 "
    "编码的文件须先转换",
    "file contains NUL bytes (binary or UTF-16 data)": "文件含有 NUL 字节（二进制或 UTF-16 数据）",
    "save the file as UTF-8 CSV": "将文件另存为 UTF-8 编码的 CSV",
    "no header row": "没有表头行",
    "the first line must name the columns": "第一行必须是列名",
    "check quoting and that every row has as many fields as the header": (
        "检查引号，并确认每行的字段数与表头相同"
    ),
    "save it again from the spreadsheet program as .xlsx": "在电子表格程序中重新另存为 .xlsx",
    "the first sheet is empty": "第一个工作表为空",
    "put the header in row 1": "将表头放在第 1 行",
    "not UTF-8 text": "不是 UTF-8 文本",
    "save the file as UTF-8": "将文件另存为 UTF-8 编码",
    "fix the JSON syntax": "修正 JSON 语法",
    "JSON must be a list of objects, or an object with a 'records' list": (
        "JSON 必须是对象列表，或带有 'records' 列表的对象"
    ),
    "write one object per record": "每条记录写成一个对象",
    "nested value": "嵌套值",
    "use plain strings and numbers": "只使用普通字符串和数字",
    "write the file again with a Parquet writer": "用 Parquet 写入程序重新生成该文件",
}

# English templates with their Chinese forms; `{name}` matches any text (the shortest that
# makes the whole message match) and is carried over.
_TEMPLATES: list[tuple[str, str]] = [
    # header (ingest.validate._header)
    ("required column {name} is missing", "缺少必需的列 {name}"),
    ("rename column {near} to {name}", "将列 {near} 重命名为 {name}"),
    ("add a column {name}: {doc}", "添加列 {name}：{doc}"),
    ("unknown column {name}", "未知列 {name}"),
    ("did you mean {name}?", "是否应为 {name}？"),
    # rules with values
    (
        "field is {n} characters, over the {limit} limit",
        "字段长 {n} 个字符，超过 {limit} 个字符的上限",
    ),
    ("duplicate record id (first used in row {row})", "记录编号重复（首次出现在第 {row} 行）"),
    ("duplicate facility id (first used in row {row})", "设施编号重复（首次出现在第 {row} 行）"),
    (
        "period ends ({end}) before it starts ({start})",
        "期间结束日期（{end}）早于起始日期（{start}）",
    ),
    ("use one of: {choices}", "使用以下之一：{choices}"),
    ("a {kind} unit does not fit a {state} fuel", "{kind}单位不适用于{state}燃料"),
    ("a {kind} unit for energy purchased", "外购能源不能使用{kind}单位"),
    ("a {kind} unit where a mass is needed", "此处需要质量单位，而不是{kind}单位"),
    (
        "fuel energy given in {unit} without a heating-value basis",
        "燃料能量以 {unit} 计，但未注明发热量基准（HHV 或 NCV）",
    ),
    ("{col} is given without its unit", "填写了 {col}，但没有填写其单位"),
    ("fill {unit_col}, e.g. {example}", "填写 {unit_col}，例如 {example}"),
    ("write the measured {label} as a plain number", "将实测的{label}写成普通数字"),
    ("a measured {label} is positive", "实测的{label}应为正数"),
    (
        "an HHV in {ratio} does not match a quantity in {unit}",
        "以 {ratio} 计的高位发热量与以 {unit} 计的数量不匹配",
    ),
    (
        "an NCV in {ratio} does not match a quantity in {unit}",
        "以 {ratio} 计的低位发热量与以 {unit} 计的数量不匹配",
    ),
    # unit errors (openmrv.units); the parameter-unit forms first, as the plain forms would
    # also match them
    (
        "unknown unit {unit} in a parameter unit. Accepted units are listed in docs/units.md",
        "参数单位中有未知单位 {unit}。可接受的单位见 docs/units.md",
    ),
    (
        "unknown unit {unit} in a parameter unit. Accepted units are listed in docs/units.md. "
        "Did you mean {near}?",
        "参数单位中有未知单位 {unit}。可接受的单位见 docs/units.md。是否应为 {near}？",
    ),
    (
        "unknown unit {unit}. Accepted units are listed in docs/units.md",
        "未知单位 {unit}。可接受的单位见 docs/units.md",
    ),
    (
        "unknown unit {unit}. Accepted units are listed in docs/units.md. Did you mean {near}?",
        "未知单位 {unit}。可接受的单位见 docs/units.md。是否应为 {near}？",
    ),
    (
        "parameter unit {unit} must be a ratio such as 'GJ/t' or 'kg C/kg'",
        "参数单位 {unit} 必须是比值，例如 'GJ/t' 或 'kg C/kg'",
    ),
    (
        "unit {unit} is not a mass, volume, gas volume or energy",
        "单位 {unit} 不是质量、体积、气体体积或能量单位",
    ),
    # reading files (ingest.readers)
    (
        "file is {size} bytes, over the {limit}-byte limit",
        "文件大小为 {size} 字节，超过 {limit} 字节的上限",
    ),
    ("unsupported file type {ext}", "不支持的文件类型 {ext}"),
    ("column {name} appears twice", "列 {name} 出现了两次"),
    (
        "not UTF-8 text (byte {byte} at line {line})",
        "不是 UTF-8 文本（第 {line} 行出现字节 {byte}）",
    ),
    ("malformed CSV: {detail}", "CSV 格式错误：{detail}"),
    ("not a readable .xlsx workbook ({detail})", "无法读取的 .xlsx 工作簿（{detail}）"),
    (
        "invalid JSON: {detail} (line {line}, column {col})",
        "JSON 无效：{detail}（第 {line} 行，第 {col} 列）",
    ),
    ("not a readable Parquet file ({detail})", "无法读取的 Parquet 文件（{detail}）"),
    # limits on what a compressed file unpacks to or claims (ingest.readers.Limits)
    (
        "the workbook unpacks to {size} bytes in {parts} parts, over the {limit}-byte limit",
        "工作簿解压后为 {size} 字节（{parts} 个部分），超过 {limit} 字节的上限",
    ),
    (
        "part {part} of the workbook unpacks to {ratio} times its packed size ({size} bytes), "
        "over the {limit}x limit for a spreadsheet",
        "工作簿的部分 {part} 解压后为压缩大小的 {ratio} 倍（{size} 字节），"
        "超过电子表格 {limit} 倍的上限",
    ),
    (
        "the first sheet claims {rows} rows x {cols} columns, over the limit of {cells} cells "
        "and {limit} columns",
        "第一个工作表声明有 {rows} 行 x {cols} 列，超过 {cells} 个单元格和 {limit} 列的上限",
    ),
    ("over {n} columns", "超过 {n} 列"),
    ("over {n} rows", "超过 {n} 行"),
    (
        "the file holds {rows} rows x {cols} columns, over the limit of {rlimit} rows, "
        "{climit} columns and {cells} cells",
        "文件有 {rows} 行 x {cols} 列，超过 {rlimit} 行、{climit} 列和 {cells} 个单元格的上限",
    ),
    (
        "the file unpacks to {size} bytes, over the {limit}-byte limit",
        "文件解压后为 {size} 字节，超过 {limit} 字节的上限",
    ),
    (
        "the text columns decode to {size} bytes, over the {limit}-byte limit",
        "文本列解码后为 {size} 字节，超过 {limit} 字节的上限",
    ),
    ("column {name} uses the {encoding} encoding", "列 {name} 使用了 {encoding} 编码"),
    # the store's refusals of an upload (store.ingest._write, store.periods._refusal, db.Busy)
    (
        "{n} record(s) already stored with other values ({ids}). A correction becomes a new "
        'version and needs a reason: run again with --reason "...". Nothing was stored.',
        "{n} 条记录已按其他数值存储（{ids}）。更正会成为新版本，必须说明原因：请填写更正原因后"
        '重新上传（命令行用 --reason "..."）。未存储任何数据。',
    ),
    (
        "period {facility} {year} is {held}; its data cannot change. To correct it, restate it: "
        'openmrv period restate {facility} {year} FILE --reason "...". Nothing was stored.',
        "期间 {facility} {year} {held}，其数据不能更改。如需更正，请重述该期间："
        'openmrv period restate {facility} {year} FILE --reason "..."。未存储任何数据。',
    ),
    ("locked by {who} at {when} ({why})", "已由 {who} 于 {when} 锁定（{why}）"),
    (
        "database {target} is busy: another process is writing to it. Nothing was changed; "
        "retry in a moment.",
        "数据库 {target} 正忙：另一个进程正在写入。未做任何更改，请稍后重试。",
    ),
]

# Placeholder values that are English words, not the user's data: translated in turn.
_TRANSLATED = {"kind", "state", "label", "doc", "held"}
TERMS: dict[str, str] = {
    # unit kinds (openmrv.units.KINDS) and fuel states
    "mass": "质量",
    "volume": "体积",
    "gas_volume": "气体体积",
    "energy": "能量",
    "solid": "固体",
    "liquid": "液体",
    "gas": "气体",
    # measured parameters (ingest.validate._measured)
    "HHV": "高位发热量",
    "NCV": "低位发热量",
    "carbon content": "含碳量",
    # a period without lock details (store.periods)
    "locked": "已锁定",
    # descriptions of the required columns (ingest.schema), quoted by "add a column" fixes
    "Unique id of the record within the file (≤ 100 characters).": (
        "记录在文件内的唯一编号（≤ 100 个字符）。"
    ),
    "Facility the record belongs to (must be in the facilities file).": (
        "记录所属的设施（必须在设施文件中）。"
    ),
    "First day of the period, ISO date YYYY-MM-DD.": "期间的第一天，ISO 日期 YYYY-MM-DD。",
    "Last day of the period, ISO date YYYY-MM-DD (≥ period_start).": (
        "期间的最后一天，ISO 日期 YYYY-MM-DD（≥ period_start）。"
    ),
    "Activity category.": "活动类别。",
    "Amount consumed or released, ≥ 0.": "消耗量或排放量，≥ 0。",
    "Unit of quantity; one of the accepted units (docs/units.md).": (
        "数量的单位，须为可接受的单位之一（见 docs/units.md）。"
    ),
    "Unique facility id.": "唯一的设施编号。",
    "Owning organisation.": "所属组织。",
    "Facility name.": "设施名称。",
    "ISO 3166-1 alpha-2 country code.": "ISO 3166-1 二位字母国家代码。",
    "ISO 3166-2 subdivision, e.g. US-AZ, CN-JS.": "ISO 3166-2 行政区划代码，例如 US-AZ、CN-JS。",
    "IPCC 2006 source category group for stationary combustion CH4/N2O factors.": (
        "IPCC 2006 排放源类别组，用于选取固定源燃烧的 CH4/N2O 排放因子。"
    ),
}


def _compile(template: str) -> re.Pattern[str]:
    """An English template as a pattern: literal text, `{name}` as a group (a name used twice
    must match the same text both times)."""
    out, seen = [], set()
    for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>.+?)")
    return re.compile("".join(out), re.S)


PATTERNS = [(_compile(en), zh) for en, zh in _TEMPLATES]


def translate(text: str) -> str | None:
    """The Chinese form of a problem, fix or refusal text; None when there is none."""
    if text in EXACT:
        return EXACT[text]
    for pattern, zh in PATTERNS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        values = m.groupdict()
        for name in _TRANSLATED & values.keys():
            values[name] = TERMS.get(values[name]) or translate(values[name])
            if values[name] is None:
                return None
        return zh.format(**values)
    return None
