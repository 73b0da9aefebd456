"""What a stored calculation run keeps for the dashboard and the API (api.services.calculate):
totals by scope, each with its coverage; the records not computed, with the reasons; the
reporting obligations; and data completeness per facility-month. Composed from the report
modules (reports.coverage, reports.inventory, reports.obligations), nothing recomputed here.

Scopes are never added together: a total is one of `SCOPES` (Scope 1, Scope 2 location-based,
Scope 2 market-based), for one methodology (or the GHG Protocol inventory, `INVENTORY`: each
facility's primary method plus the fallbacks), facility and year, with its own coverage.
Market-based Scope 2 exists for the inventory only (the methodologies compute grid averages).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from openmrv.engine import RunResult
from openmrv.reports import coverage
from openmrv.reports.coverage import INVENTORY
from openmrv.reports.i18n import t
from openmrv.reports.inputs import fsum
from openmrv.reports.inventory import build
from openmrv.reports.obligations import obligations

ORGANISATION = ""  # facility_id of a run's organisation-wide totals (all its facilities)
SCOPES = ("1", "2_location", "2_market")
KEYS = ["methodology", "facility_id", "year"]
COVERAGE = ["records", "not_computed", "missing_share", "outside_categories"]
TOTAL_COLUMNS = [*KEYS, "scope", "co2e_t", "biogenic_co2_t", "categories", *COVERAGE]
NOT_COMPUTED_COLUMNS = [*KEYS, "scope", "category", "reason", "unit", "records", "quantity",
                        "record_ids"]  # fmt: skip
OBLIGATION_COLUMNS = ["facility_id", "year", "programme", "applies", "reason_code",
                      "primary_methodology", "figure_t", "threshold_t", "threshold_reached",
                      "report_due", "data_complete", "records_not_computed", "rule"]  # fmt: skip
# why a programme applies or not (reports.obligations' `obligation.*` texts)
REASON_CODES = ("declared", "threshold", "below", "not_declared", "not_power")
MONTH_COLUMNS = ["facility_id", "year", "month", "records", "not_computed"]


@dataclass
class RunFigures:
    totals: pd.DataFrame  # TOTAL_COLUMNS: per methodology, facility (or ORGANISATION), year, scope
    not_computed: pd.DataFrame  # NOT_COMPUTED_COLUMNS
    obligations: pd.DataFrame  # OBLIGATION_COLUMNS (status comes from the store when shown)
    months: pd.DataFrame  # MONTH_COLUMNS: the inventory's records per facility-month


def _scope_code(scope: pd.Series) -> pd.Series:
    return scope.map({1: "1", 2: "2_location"})


def _sums(rows: pd.DataFrame, keys: list[str], value: str, bio: str) -> pd.DataFrame:
    """t CO2e and biogenic CO2 per `keys` and scope code of result rows."""
    g = rows.groupby([*keys, "scope"])
    return pd.DataFrame({"co2e_t": g[value].agg(fsum), "biogenic_co2_t": g[bio].agg(fsum)})


def _with_coverage(
    sums: pd.DataFrame, led: pd.DataFrame, rows: pd.DataFrame, keys: list[str]
) -> pd.DataFrame:
    """Each scope total (sums, index keys + scope) joined to its coverage; a scope a
    methodology holds records of but computed none of still gets its row (0 t, partial)."""
    led = led.assign(scope=_scope_code(led.scope))
    summ = coverage.summary(led, [*keys, "scope"]).set_index([*keys, "scope"])
    cats = rows.groupby([*keys, "scope"]).category.agg(lambda s: ",".join(sorted(set(s))))
    out = summ.join(sums, how="outer").join(cats.rename("categories"), how="left")
    out[["co2e_t", "biogenic_co2_t"]] = out[["co2e_t", "biogenic_co2_t"]].fillna(0.0)
    out["categories"] = out.categories.fillna("")
    counts = ["records", "not_computed", "outside_categories"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["missing_share"] = out.missing_share.fillna("")
    out = out.reset_index()
    return out if "facility_id" in keys else out.assign(facility_id=ORGANISATION)


def _totals(
    res: pd.DataFrame, led: pd.DataFrame, rec: pd.DataFrame, ilog: pd.DataFrame,
    market: pd.DataFrame, keys: list[str],
) -> pd.DataFrame:  # fmt: skip
    """The methodologies' and the inventory's scope totals per `keys`."""
    by_method = _with_coverage(_sums(res, keys, "fossil_t", "bio_t"), led, res, keys)
    inv = _with_coverage(_sums(rec, keys, "consolidated_t", "bio_t"), ilog, rec, keys)
    mb = inv[inv.scope == "2_location"].drop(columns=["co2e_t"]).assign(scope="2_market")
    mb = mb.merge(
        market.groupby(keys, as_index=False).consolidated_t.agg(fsum), on=keys, how="left"
    )
    mb = mb.rename(columns={"consolidated_t": "co2e_t"}).fillna({"co2e_t": 0.0})
    return pd.concat([by_method, inv, mb], ignore_index=True)[TOTAL_COLUMNS]


def figures(run: RunResult, activity: pa.Table, facilities: pd.DataFrame) -> RunFigures:
    """The stored figures of `run` over `activity` of `facilities`."""
    res = run.results.to_pandas()
    res["year"] = res.year.astype("int64")
    res["scope"] = _scope_code(res.scope)
    res["bio_t"] = res.mass_t.where(res.biogenic & (res.gas == "CO2"), 0.0)
    res["fossil_t"] = res.co2e_t.where(~res.biogenic, 0.0)
    methods = tuple(run.meta.get("methodologies", {}))
    led = coverage.by_methodology(run.results, run.skipped, activity, methods)

    inv = build(run, activity, facilities)
    assert inv.ledger is not None
    ilog = inv.ledger.assign(methodology=INVENTORY)
    rec = inv.records.assign(methodology=INVENTORY, scope=_scope_code(inv.records.scope))
    rec["year"] = rec.year.astype("int64")
    rec["bio_t"] = rec.biogenic_co2_t * rec.share
    # market-based: the electricity slices, plus heat and steam as they are (inventory.build)
    mb = inv.scope2.assign(methodology=INVENTORY, year=inv.scope2.year.astype("int64"))
    heat = rec[(rec.scope == "2_location") & (rec.category != "purchased_electricity")]
    market = pd.concat([mb[[*KEYS, "consolidated_t"]], heat[[*KEYS, "consolidated_t"]]])
    totals = pd.concat(
        [_totals(res, led, rec, ilog, market, k) for k in (KEYS, ["methodology", "year"])],
        ignore_index=True,
    )

    both = pd.concat([led, ilog], ignore_index=True)
    both["scope"] = _scope_code(both.scope)
    missing = coverage.reasons(both, [*KEYS, "scope"])[NOT_COMPUTED_COLUMNS]

    obl = obligations(facilities, run.results, run.skipped, activity)
    codes = {t(f"obligation.{c}", "en"): c for c in REASON_CODES}
    obl["reason_code"] = obl.why.map(codes)
    return RunFigures(
        totals.sort_values([*KEYS, "scope"], ignore_index=True),
        missing,
        obl[OBLIGATION_COLUMNS],
        months(activity, ilog),
    )


def months(activity: pa.Table, led: pd.DataFrame) -> pd.DataFrame:
    """Per facility, year and month: the records whose period covers the month, and how many
    of them the inventory did not compute (a record spanning months counts in each)."""
    per = activity.select(["record_id", "period_start", "period_end"]).to_pandas()
    df = led[["record_id", "facility_id", "year", "included"]].merge(per, on="record_id")
    start, end = pd.to_datetime(df.period_start), pd.to_datetime(df.period_end)
    year = df.year.astype("int64")
    first = start.dt.month.where(start.dt.year == year, 1)  # a period from an earlier year
    last = end.dt.month.where(end.dt.year == year, 12)  # ... or into a later one
    out = []
    for m in range(1, 13):
        hit = df[(first <= m) & (last >= m)]
        g = hit.groupby(["facility_id", "year"])
        counts = pd.DataFrame({"records": g.size(), "not_computed": (~hit.included).groupby(
            [hit.facility_id, hit.year]).sum()})  # fmt: skip
        out.append(counts.reset_index().assign(month=m))
    cols = MONTH_COLUMNS
    res = pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)
    res["year"] = res.year.astype("int64")
    return res.sort_values(["facility_id", "year", "month"], ignore_index=True)
