"""The CCUS input files, declared once: capture meters (PP), transfers recorded by both sides,
the injection site's receiving, injection and separator meters (RR/UU/VV), losses by pathway
and kind, and one row per site and year (subpart, entrained ratio X, MRV plan start, EOR
inputs). A folder holds one of each (`FILES`); ingest.validate.validate_table checks them with
located problems, the rules below on top of its generic ones."""

from __future__ import annotations

from openmrv.ingest.columns import Column, Dtype, Rule, Schema

METER_TYPES = ("mass", "volumetric")
POSITIONS = ("after_segregation", "before_segregation", "onsite_use")
SIDES = ("sender", "receiver")
ROLES = ("receiving", "injection", "separator")
SUBPARTS = ("RR", "UU", "VV")
# RR: surface leakage by pathway (RR-10) and equipment leaks/vents between meter and wellhead
# (CO2_FI, CO2_FP); VV: the losses of 98.486(e)(1)-(4) and (f).
LOSS_KINDS = (
    "surface_leakage",
    "equipment_injection",
    "equipment_production",
    "leakage_facilities",
    "vent_flare",
    "entrained",
    "transfer_out",
    "eor_complex",
)


def _num(name: str, doc: str, unit: str = "t", required: bool = True) -> Column:
    return Column(
        name,
        kind="number",
        dtype=Dtype.DOUBLE,
        required=required,
        sql=f"COALESCE(TRY_CAST(NULLIF(trim({name}), '') AS DOUBLE), 0)",
        unit_kind=unit,
        doc=doc,
    )


def _id(name: str, doc: str, required: bool = True) -> Column:
    return Column(name, kind="id", dtype=Dtype.TEXT, required=required, doc=doc)


def _enum(name: str, choices: tuple[str, ...], doc: str) -> Column:
    return Column(name, kind="enum", dtype=Dtype.TEXT, required=True, choices=choices, doc=doc)


YEAR = Column(
    "year", kind="number", dtype=Dtype.INTEGER, required=True, sql="CAST(year AS INTEGER)",
    doc="Reporting year.",
)  # fmt: skip
QUARTER = Column(
    "quarter", kind="number", dtype=Dtype.INTEGER, required=True, sql="CAST(quarter AS INTEGER)",
    doc="Quarter of the year, 1-4 (Part 98 collects these data quarterly).",
)  # fmt: skip
ROW = Column("source_row", dtype=Dtype.BIGINT, sql="_row", lineage=True)
INT_RULES = (
    Rule("year", "TRY_CAST(year AS INTEGER) IS NULL OR TRY_CAST(year AS INTEGER) NOT BETWEEN "
         "1990 AND 2100", "'not a year'", "a four-digit year, e.g. 2025"),
)  # fmt: skip
QUARTER_RULE = Rule(
    "quarter",
    "TRY_CAST(quarter AS INTEGER) IS NULL OR TRY_CAST(quarter AS INTEGER) NOT BETWEEN 1 AND 4",
    "'not a quarter'",
    "1, 2, 3 or 4",
)


def _fraction(col: str) -> Rule:
    return Rule(
        col,
        f"TRY_CAST({col} AS DOUBLE) > 1",
        "'a concentration above 1'",
        "a decimal fraction (0.995 for 99.5 %)",
    )


METER = (
    _enum("meter_type", METER_TYPES, "mass (flow in t) or volumetric (standard m³)."),
    _num("flow", "Quarterly flow Q: t (mass meter) or standard m³ (volumetric).", "t|sm3"),
    _num("co2_fraction", "Quarterly CO2 concentration C (wt. or vol. fraction).", "fraction"),
)

CAPTURE = Schema(
    "ccus_capture",
    (
        _id("record_id", "Reading id."),
        _id("facility_id", "Emitting facility where CO2 is captured (Subpart PP)."),
        _id("meter_id", "Flow meter u."),
        YEAR,
        QUARTER,
        _enum("meter_position", POSITIONS, "After the point of segregation (PP-3a), the main "
              "meter before it or an on-site-use meter after it (PP-3b), 98.424(a)(1)(i)."),
        *METER,
        _num("density", "PP-2 D_p (volumetric meters): density measured in the quarter, t per "
             "standard m³ — of CO2 if C is vol. %, of the whole stream if C is wt. % "
             "(98.423(a)(2)).", "t/sm3", False),
        ROW,
    ),
    quantity="flow",
    rules=(
        *INT_RULES, QUARTER_RULE, _fraction("co2_fraction"),
        Rule("density", "meter_type = 'volumetric' AND "
             "COALESCE(TRY_CAST(NULLIF(trim(density), '') AS DOUBLE), 0) <= 0",
             "'a volumetric meter without its density D_p'",
             "the density measured for this meter in this quarter, t per standard m³ (PP-2 "
             "takes the measured D_p, 98.423(a)(2))"),
    ),
)  # fmt: skip

TRANSFERS = Schema(
    "ccus_transfers",
    (
        _id("record_id", "Record id."),
        _id("transfer_id", "The custody transfer both sides name (one pipeline, quarter)."),
        _enum("side", SIDES, "Who recorded this row: the sender or the receiver."),
        _id("sender_facility", "Facility that hands the CO2 over."),
        _id("receiver_facility", "Facility that receives it."),
        _id("meter_id", "Custody transfer meter or pipeline."),
        YEAR,
        QUARTER,
        _num("co2_t", "CO2 transferred as this side measured it, t."),
        ROW,
    ),
    quantity="co2_t",
    rules=(
        *INT_RULES,
        QUARTER_RULE,
        Rule(
            "receiver_facility",
            "trim(receiver_facility) = trim(sender_facility)",
            "'the receiver is the sender'",
            "a transfer goes from one facility to another",
        ),
    ),
)

METERS = Schema(
    "ccus_meters",
    (
        _id("record_id", "Reading id."),
        _id("facility_id", "Injection site."),
        _id("meter_id", "Flow meter (r receiving, u injection, w separator)."),
        _enum("role", ROLES, "receiving (RR-1/2, UU-1/2), injection (RR-4/5) or separator "
              "(RR-7/8) meter."),
        YEAR,
        QUARTER,
        *METER,
        _num("redelivered", "S: flow through a receiving meter redelivered to another facility "
             "without injection (same unit as flow; receiving meters only).", "t|sm3", False),
        ROW,
    ),
    quantity="flow",
    rules=(
        *INT_RULES, QUARTER_RULE, _fraction("co2_fraction"),
        Rule("redelivered", "TRY_CAST(redelivered AS DOUBLE) > TRY_CAST(flow AS DOUBLE)",
             "'more redelivered than received'", "S is part of Q: at most the flow"),
        Rule("redelivered", "TRY_CAST(redelivered AS DOUBLE) > 0 AND role <> 'receiving'",
             "'redelivery on a meter that is not a receiving meter'",
             "leave it empty on injection and separator meters"),
    ),
)  # fmt: skip

LOSSES = Schema(
    "ccus_losses",
    (
        _id("record_id", "Record id."),
        _id("facility_id", "Injection site."),
        YEAR,
        QUARTER,
        _enum("kind", LOSS_KINDS, "What the loss is (RR-10 pathway, CO2_FI, CO2_FP, or a VV "
              "loss of 98.486(e)/(f))."),
        _id("pathway", "Leakage pathway from the MRV plan, or the equipment.", required=False),
        _num("co2_t", "CO2 lost, t."),
        ROW,
    ),
    quantity="co2_t",
    rules=(*INT_RULES, QUARTER_RULE),
)  # fmt: skip

SITES = Schema(
    "ccus_sites",
    (
        _id("facility_id", "Injection site."),
        Column("name", kind="text", dtype=Dtype.TEXT, doc="Site name."),
        _id("country", "ISO country code."),
        _enum("subpart", SUBPARTS, "RR (sequestration by mass balance), UU (received only) or "
              "VV (CO2-EOR quantified under ISO 27916)."),
        YEAR,
        _num("entrained_ratio", "X: entrained CO2 in produced oil or other fluid ÷ CO2 "
             "separated through all separators in the year (RR-9).", "fraction", False),
        Column("mrv_plan_start", kind="date", dtype=Dtype.DATE, doc="Date the approved MRV "
               "plan sets for the first year (98.443); quarters ending before it are not "
               "counted.", sql="TRY_CAST(NULLIF(trim(mrv_plan_start), '') AS DATE)"),
        Column("mrv_plan", kind="text", dtype=Dtype.TEXT, doc="MRV plan version."),
        _num("native_t", "VV: m_native, native CO2 produced and captured, t.", required=False),
        _num("recycled_t", "VV: CO2 recycled and reinjected, t (reported, never stored).",
             required=False),
        ROW,
    ),
    record="facility_id",
    quantity="native_t",
    rules=(
        *INT_RULES,
        Rule("mrv_plan_start", "trim(mrv_plan_start) <> '' AND "
             "TRY_CAST(trim(mrv_plan_start) AS DATE) IS NULL", "'not a date'", "YYYY-MM-DD"),
        Rule("entrained_ratio", "TRY_CAST(entrained_ratio AS DOUBLE) > 1",
             "'an entrained ratio above 1'", "X is a fraction of the CO2 separated"),
    ),
)  # fmt: skip

# The folder's files: name -> schema, in the order they are checked.
FILES = {
    "capture.csv": CAPTURE,
    "transfers.csv": TRANSFERS,
    "meters.csv": METERS,
    "losses.csv": LOSSES,
    "sites.csv": SITES,
}
