"""What each total holds and what it leaves out: every activity record, under every methodology
(or method chain) a report uses, is either in the total or listed as not computed with the
reason. Totals then carry "complete" or "partial: n of m records not computed" beside them.

The engine leaves two traces of a record it could not compute: rows in `skipped` (with the
reason), and nothing at all when the methodology does not cover the record's category (MEE has
no refrigerants; no methodology here covers `process`). This module turns both into one ledger.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute

from openmrv.methods import METHODS
from openmrv.reports.i18n import t

# GHG Protocol scope of each activity category (purchased energy is Scope 2, the rest direct).
SCOPE_OF = {
    "stationary_combustion": 1,
    "mobile_combustion": 1,
    "refrigerant": 1,
    "process": 1,
    "ccs_transfer": 1,
    "purchased_electricity": 2,
    "purchased_heat": 2,
}
INVENTORY = "inventory"  # the label of the GHG Protocol inventory's ledger (reports.inventory)
RECORD_COLUMNS = ["record_id", "facility_id", "year", "category", "fuel", "quantity", "unit"]


def records(activity: pa.Table) -> pd.DataFrame:
    """The activity records with their scope and canonical quantity (for quantity shares)."""
    cols = [*RECORD_COLUMNS, "qty", "qty_kind"]
    df = activity.select(cols).to_pandas()
    df["scope"] = df.category.map(SCOPE_OF).astype("int64")
    df["year"] = df.year.astype("int64")
    return df


def not_covered(methodology: str, category: str) -> str:
    return f"{methodology} does not cover category {category}"


def categories(methodology: str) -> tuple[str, ...]:
    """The activity categories a methodology covers (its declared scope)."""
    m = METHODS.get(methodology)
    return tuple(m.categories) if m is not None else ()


def ledger(
    activity: pa.Table,
    included: Iterable[str],
    skipped: pd.DataFrame,
    chain: tuple[str, ...] | dict[str, tuple[str, ...]],
    label: str,
    scope: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per activity record: `included` when at least one gas of it is in the total
    labelled `label`, else `reason` says why not for each methodology of the chain tried (a
    tuple, or facility_id -> tuple when the primary method depends on the facility).
    `in_scope` says whether the record's category is one the total claims to cover (`scope`;
    None = all): a record outside it is listed, but does not make the total partial."""
    recs = records(activity)
    why = (
        (
            skipped.groupby(["methodology", "record_id"]).reason.agg(
                lambda s: "; ".join(dict.fromkeys(s))
            )
        ).to_dict()
        if len(skipped)
        else {}
    )
    got = set(included)
    r = recs.assign(methodology=label, included=recs.record_id.isin(got))
    r["in_scope"] = True if scope is None else r.category.isin(set(scope))

    def reason(rid: str, fid: str, cat: str) -> str:
        tried = chain if isinstance(chain, tuple) else chain.get(fid, ())
        said = [why.get((m, rid)) or not_covered(m, cat) for m in tried]
        if len(tried) == 1:
            return said[0]
        return " | ".join(f"{m}: {w}" for m, w in zip(tried, said, strict=True)) or (
            "no methodology applies to this facility"
        )

    r["reason"] = [
        "" if inc else reason(rid, fid, cat)
        for rid, fid, cat, inc in zip(
            r.record_id, r.facility_id, r.category, r.included, strict=True
        )
    ]
    return r


def by_methodology(
    results: pa.Table, skipped: pa.Table, activity: pa.Table, methods: Iterable[str] = ()
) -> pd.DataFrame:
    """The ledger of a run: every record under every methodology the run used (`methods`,
    e.g. the run's meta["methodologies"], plus any that left a row)."""
    res = results.select(["methodology", "record_id"]).to_pandas()
    sk = skipped.to_pandas()
    methods = list(dict.fromkeys([*methods, *res.methodology, *sk.methodology]))
    return pd.concat(
        [
            ledger(activity, res.record_id[res.methodology == m], sk, (m,), m, categories(m))
            for m in methods
        ],
        ignore_index=True,
    )


def summary(led: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of `keys`: records, not_computed and the share of the quantity not computed
    per category (canonical units, among records of the same category and quantity kind)."""
    rows = []
    for k, g in led.groupby(keys, dropna=False):
        outside = int((~g.in_scope).sum())
        g = g[g.in_scope]
        miss = g[~g.included]
        shares = {}
        for (cat, kind), m in miss.groupby(["category", "qty_kind"], dropna=False):
            pool = g[(g.category == cat) & (g.qty_kind == kind)]
            total = pool.qty.sum()
            mixed = g[g.category == cat].qty_kind.nunique() > 1
            shares[f"{cat}/{kind}" if mixed else cat] = float(m.qty.sum() / total) if total else 1.0
        rows.append(
            {
                **dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True)),
                "records": len(g),
                "not_computed": len(miss),
                "missing_share": ";".join(f"{c}={v!r}" for c, v in shares.items()),
                "outside_categories": outside,
            }
        )
    cols = [*keys, "records", "not_computed", "missing_share", "outside_categories"]
    return pd.DataFrame(rows, columns=cols)


def reasons(led: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The records not computed, grouped by `keys`, category and reason, with their quantity."""
    miss = led[~led.included]
    cols = [*keys, "category", "reason", "unit"]
    if miss.empty:
        return pd.DataFrame(columns=[*cols, "records", "quantity", "record_ids"])
    g = miss.groupby(cols, dropna=False)
    return g.agg(
        records=("record_id", "size"),
        quantity=("quantity", "sum"),
        record_ids=("record_id", lambda s: ", ".join(sorted(s))),
    ).reset_index()


def text(
    records: int, not_computed: int, missing_share: str, lang: str = "en", outside: int = 0
) -> str:
    """'complete', or '⚠ partial: n of m records not computed (category x % of the
    quantity)'; records outside the methodology's categories are counted after it."""
    extra = t("coverage.outside", lang).format(k=outside) if outside else ""
    if not not_computed:
        return t("coverage.complete", lang) + extra
    parts = []
    for item in filter(None, missing_share.split(";")):
        what, share = item.split("=")
        cat, _, kind = what.partition("/")
        name = t("category." + cat, lang) + (f" ({t('kind.' + kind, lang)})" if kind else "")
        parts.append(f"{name} {100 * float(share):.4g} %")
    return (
        t("coverage.partial", lang).format(n=not_computed, m=records, shares=", ".join(parts))
        + extra
    )


def label(df: pd.DataFrame, lang: str = "en", prefix: str = "") -> pd.Series:
    """The coverage text of each row of a summary (columns records, not_computed,
    missing_share, optionally prefixed)."""
    outside = df.get(f"{prefix}outside_categories", pd.Series(0, index=df.index))
    return pd.Series(
        [
            text(int(r), int(n), str(s), lang, int(o))
            for r, n, s, o in zip(
                df[f"{prefix}records"],
                df[f"{prefix}not_computed"],
                df[f"{prefix}missing_share"],
                outside,
                strict=True,
            )
        ],
        index=df.index,
        dtype="object",
    )


PARTIAL_MARK = "⚠"


def is_partial(value: object) -> bool:
    """Whether a rendered coverage cell says partial (either language: both start with ⚠)."""
    return str(value).startswith(PARTIAL_MARK)


def of_method(
    results: pa.Table,
    skipped: pa.Table,
    activity: pa.Table,
    methodology: str,
    lang: str = "en",
    scope: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One methodology's coverage per facility-year (with the rendered `coverage` text) and
    its records not computed, by reason: what a regulator-shaped report prints beside it.
    `scope`: the categories the report claims (default: those the methodology covers)."""
    res = results.filter(pa.compute.equal(results["methodology"], methodology))
    sk = skipped.to_pandas()
    led = ledger(
        activity,
        res.column("record_id").to_pylist(),
        sk[sk.methodology == methodology],
        (methodology,),
        methodology,
        categories(methodology) if scope is None else scope,
    )
    keys = ["facility_id", "year"]
    summ = summary(led, keys)
    summ["coverage"] = label(summ, lang)
    return summ, reasons(led, keys)
