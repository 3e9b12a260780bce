"""Read a response file into a coded, keyed :class:`Dataset`, reporting every problem precisely.

``read_responses`` is the one door through which data enters the analysis. It

1. reads the file (:mod:`moscale.analysis.readers`: CSV with sniffed delimiter and encoding, XLSX,
   SPSS, Stata, Parquet, or an in-memory DataFrame);
2. recognises platform exports (Qualtrics' three header rows and ImportIds, LimeSurvey's
   ``QCODE[SQCODE]`` headings and ``submitdate``, moscale's own HTML download) and applies the column
   map our exporters wrote, when there is one;
3. drops preview/test rows and incomplete responses as the :class:`DataPolicy` says;
4. matches columns to the instrument's codebook (or to a lavaan model / an item list), maps answer
   texts through the value labels, turns declared missing codes into missing values, and checks every
   value against the response scale;
5. reverse-keys the items the definition marks (``min + max - x``) and records what it reversed;
6. flags duplicate respondent ids, items without variance and excessive missingness.

Every problem becomes a record in ``Dataset.issues`` (kind, row, column, value, action, message);
what happens to it (error, set missing, flag, drop) is the documented policy in
``docs/data-policy.md``. The data is never changed silently.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from moscale.errors import DataError, UserError

from .readers import RawTable, from_frame, read_table

ISSUE_COLUMNS = ["kind", "row", "column", "value", "action", "message"]

# --- policy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataPolicy:
    """What happens to each kind of data problem (see ``docs/data-policy.md``).

    Attributes
    ----------
    out_of_range : {"missing", "error"}
        An item value that is not a point of the response scale: set missing and flagged (default)
        or stop with a :class:`DataError`.
    non_numeric : {"missing", "error"}
        A cell that is neither a number nor an answer label: set missing and flagged, or stop.
    duplicate_id : {"error", "flag", "keep_first"}
        A respondent id that occurs twice: stop (default), keep both and flag, or keep the first
        occurrence and drop the later ones.
    incomplete : {"drop", "flag", "keep"}
        A response the platform marks unfinished (Qualtrics ``Finished`` false, LimeSurvey empty
        ``submitdate``): drop it (default, recorded), keep and flag it, or keep it silently.
    preview : {"drop", "keep"}
        Qualtrics preview, test and spam rows (``Status``): drop (default, recorded) or keep.
    unknown_column : {"ignore", "error"}
        A column the codebook lacks: list it and ignore it (default) or stop.
    missing_item : {"flag", "error"}
        An item of the instrument with no column in the data.
    max_item_missing : float
        Flag an item whose share of missing answers exceeds this (default .10).
    max_respondent_missing : float
        Flag a respondent whose share of missing item answers exceeds this (default .20).
    """

    out_of_range: Literal["missing", "error"] = "missing"
    non_numeric: Literal["missing", "error"] = "missing"
    duplicate_id: Literal["error", "flag", "keep_first"] = "error"
    incomplete: Literal["drop", "flag", "keep"] = "drop"
    preview: Literal["drop", "keep"] = "drop"
    unknown_column: Literal["ignore", "error"] = "ignore"
    missing_item: Literal["flag", "error"] = "flag"
    max_item_missing: float = 0.10
    max_respondent_missing: float = 0.20

    _CHOICES = {
        "out_of_range": ("missing", "error"),
        "non_numeric": ("missing", "error"),
        "duplicate_id": ("error", "flag", "keep_first"),
        "incomplete": ("drop", "flag", "keep"),
        "preview": ("drop", "keep"),
        "unknown_column": ("ignore", "error"),
        "missing_item": ("flag", "error"),
    }

    def __post_init__(self) -> None:
        for name, allowed in self._CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise UserError(
                    f"policy {name}={value!r} is not one of {', '.join(allowed)}",
                    hint="see docs/data-policy.md",
                )
        for name in ("max_item_missing", "max_respondent_missing"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise UserError(
                    f"policy {name}={value!r} must be a share between 0 and 1",
                    hint="e.g. 0.10 for 10 %",
                )

    @classmethod
    def strict(cls, **overrides: Any) -> DataPolicy:
        """Every value problem stops the run: out-of-range and non-numeric cells, unknown columns,
        items without a column."""
        base = dict(
            out_of_range="error", non_numeric="error", unknown_column="error", missing_item="error"
        )
        base.update(overrides)
        return cls(**base)

    @classmethod
    def lenient(cls, **overrides: Any) -> DataPolicy:
        """Like the default but duplicate ids are flagged instead of stopping the run."""
        base: dict[str, Any] = dict(duplicate_id="flag")
        base.update(overrides)
        return cls(**base)

    @classmethod
    def coerce(cls, policy: DataPolicy | str | Mapping[str, Any] | None) -> DataPolicy:
        """``None``/"default", "strict", "lenient", a mapping of overrides, or a policy."""
        if policy is None:
            return cls()
        if isinstance(policy, DataPolicy):
            return policy
        if isinstance(policy, str):
            makers = {"default": cls, "strict": cls.strict, "lenient": cls.lenient}
            if policy not in makers:
                raise UserError(
                    f"unknown data policy '{policy}'",
                    hint="use 'default', 'strict', 'lenient' or a dict of settings",
                )
            return makers[policy]()
        if isinstance(policy, Mapping):
            names = {f.name for f in fields(cls)}
            unknown = [k for k in policy if k not in names]
            if unknown:
                raise UserError(
                    f"unknown policy setting(s): {', '.join(unknown)}",
                    hint=f"use: {', '.join(sorted(names))}",
                )
            return cls(**dict(policy))
        raise UserError(f"cannot use {type(policy).__name__} as a data policy")

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- issues ---------------------------------------------------------------------------------------


class _Issues:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def add(
        self,
        kind: str,
        row: int | None,
        column: str | None,
        value: Any,
        action: str,
        message: str,
    ) -> None:
        self.records.append(
            {
                "kind": kind,
                "row": None if row is None else int(row),
                "column": column,
                "value": _json_value(value),
                "action": action,
                "message": message,
            }
        )

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.records, columns=ISSUE_COLUMNS)
        df["row"] = df["row"].astype("Int64")
        return df


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, (int, float, str, bool)):
        return v
    return str(v)


# --- what the instrument expects ------------------------------------------------------------------


@dataclass(frozen=True)
class VarSpec:
    """One column the instrument's codebook expects (derived from the resolved instrument)."""

    name: str
    kind: str  # item | check | single | multiple | number | text | order | meta
    labels: dict[Any, dict[str, str]] = field(default_factory=dict)
    missing_codes: tuple[Any, ...] = ()
    codes: tuple[int, ...] | None = None  # valid codes of a rating scale
    minimum: float | None = None
    maximum: float | None = None
    reverse: bool = False
    dimension: str | None = None
    block: str | None = None
    role: str | None = None
    expect: int | None = None


META_COLUMNS = ("respondent_id", "lang", "started", "submitted", "duration_s")


_CODEBOOK_KINDS = {
    "likert": "item",
    "attention_check": "check",
    "single": "single",
    "multiple_option": "multiple",
    "number": "number",
    "text": "text",
    "order": "order",
    "id": "meta",
    "timestamp": "meta",
}


def instrument_variables(instrument: Any) -> list[VarSpec]:
    """The columns of ``instrument``'s codebook, with what the reader needs to code them.

    Naming (CONTRIBUTING.md, :func:`moscale.instrument.codebook.codebook_variables`): item ids;
    attention checks by id; background questions by id, a multiple-choice question as
    ``<id>_<code>`` 0/1 columns; ``<block>_order``; the meta columns ``respondent_id``, ``lang``,
    ``started``, ``submitted``, ``duration_s``.
    """
    try:
        from moscale.instrument.codebook import codebook_variables
    except ImportError:  # pragma: no cover - the codebook ships with moscale
        return _variables_without_codebook(instrument)
    specs = []
    for v in codebook_variables(instrument):
        kind = _CODEBOOK_KINDS.get(v.type, "text")
        if v.role == "meta" and kind not in ("number",):
            kind = "meta"
        codes: tuple[int, ...] | None = None
        if kind in ("item", "check") and v.minimum is not None and v.maximum is not None:
            codes = tuple(range(int(v.minimum), int(v.maximum) + 1))
        elif kind == "single" and v.value_labels:
            codes = tuple(int(c) for c in v.value_labels)
        elif kind == "multiple":
            codes = (0, 1)
        specs.append(
            VarSpec(
                name=v.name,
                kind=kind,
                labels={int(c): dict(lab) for c, lab in v.value_labels.items()},
                missing_codes=tuple(v.missing_codes),
                codes=codes,
                minimum=v.minimum,
                maximum=v.maximum,
                reverse=bool(v.reverse),
                dimension=f"{v.block_id}.{v.dimension_id}" if kind == "item" else None,
                block=v.block_id,
                role=v.role if v.role in ("group", "cluster", "respondent_id") else None,
                expect=v.expected,
            )
        )
    return specs


def _variables_without_codebook(instrument: Any) -> list[VarSpec]:
    specs: list[VarSpec] = [VarSpec(name=m, kind="meta") for m in META_COLUMNS]
    for block in instrument.blocks:
        resp = block.response
        labels: dict[Any, dict[str, str]] = {}
        for lang, points in resp.labels.items():
            for code, text in points.items():
                labels.setdefault(int(code), {})[lang] = text
        missing: tuple[Any, ...] = ()
        if resp.dont_know is not None:
            missing = (resp.dont_know.code,)
            labels.setdefault(resp.dont_know.code, {}).update(resp.dont_know.label)
        codes = tuple(resp.codes)
        for dim in block.dimensions:
            for item in dim.items:
                specs.append(
                    VarSpec(
                        name=item.id,
                        kind="item",
                        labels=labels,
                        missing_codes=missing,
                        codes=codes,
                        minimum=resp.minimum,
                        maximum=resp.maximum,
                        reverse=item.reverse,
                        dimension=f"{block.id}.{dim.id}",
                        block=block.id,
                    )
                )
        for check in block.attention_checks:
            specs.append(
                VarSpec(
                    name=check.id,
                    kind="check",
                    labels=labels,
                    missing_codes=missing,
                    codes=codes,
                    minimum=resp.minimum,
                    maximum=resp.maximum,
                    block=block.id,
                    expect=check.expect,
                )
            )
        specs.append(VarSpec(name=block.order_variable, kind="order", block=block.id))
    taken = {s.name for s in specs}
    for q in instrument.background:
        if q.type == "multiple":
            for opt in q.options:
                specs.append(
                    VarSpec(
                        name=f"{q.id}_{opt.code}",
                        kind="multiple",
                        labels={1: dict(opt.label), 0: {}},
                        codes=(0, 1),
                        minimum=0,
                        maximum=1,
                        role=q.role,
                    )
                )
            continue
        labels = {o.code: dict(o.label) for o in q.options}
        spec = VarSpec(
            name=q.id,
            kind=q.type,
            labels=labels,
            codes=tuple(o.code for o in q.options) if q.type == "single" else None,
            minimum=q.minimum,
            maximum=q.maximum,
            role=q.role,
        )
        if q.id in taken and q.role == "respondent_id":
            specs = [s for s in specs if s.name != q.id]
        specs.append(spec)
    return specs


# --- the dataset ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """Responses read, coded and keyed, with everything that was done to them.

    Every frame is indexed by the row's location in the source (``row_label``: the file line for
    CSV, the worksheet row for XLSX, the record number otherwise), so an issue's ``row`` finds the
    respondent in the file and in every frame.

    Attributes
    ----------
    raw : DataFrame
        The data as read (after platform header rows were taken off), every row, every column.
    items : DataFrame
        Item answers of the kept rows as floats: value labels mapped to codes, declared missing
        codes and rejected cells missing, reverse-keyed items reversed (see ``reversed``).
    checks : DataFrame
        Attention-check (instructed-response) answers, coded like the items but never reversed.
    background : DataFrame
        Every other recognised column of the kept rows: meta columns, background questions,
        multiple-choice 0/1 columns, order columns.
    dimensions : dict
        ``{dimension key: [item ids]}``; keys are ``<block>.<dimension>`` with an instrument, the
        factor names with a lavaan model, ``"items"`` for an item list.
    higher_order : dict
        ``{higher-order key: [dimension keys]}``.
    blocks : dict
        ``{block (scale) id: [item ids]}``.
    scale_range : dict
        ``{item: (minimum, maximum)}`` of the response scale.
    reversed : dict
        ``{item: (minimum, maximum)}`` of the items reversed as ``minimum + maximum - x``.
    check_expect : dict
        ``{attention check: expected code}``.
    groups, cluster, respondent_id, duration : column names in ``background`` (or None).
    issues : DataFrame
        One record per problem: ``kind, row, column, value, action, message``.
    """

    raw: pd.DataFrame
    items: pd.DataFrame
    checks: pd.DataFrame
    background: pd.DataFrame
    dimensions: dict[str, list[str]]
    higher_order: dict[str, list[str]]
    blocks: dict[str, list[str]]
    scale_range: dict[str, tuple[float, float]]
    reversed: dict[str, tuple[float, float]]
    check_expect: dict[str, int]
    groups: list[str]
    cluster: str | None
    respondent_id: str | None
    duration: str | None
    issues: pd.DataFrame
    source: Path | None
    sha256: str | None
    format: str
    platform: str
    row_label: str
    n_read: int
    instrument: Any = None
    policy: DataPolicy = field(default_factory=DataPolicy)
    info: dict[str, Any] = field(default_factory=dict)
    exclusions: dict[str, int] = field(default_factory=dict)

    @property
    def n_kept(self) -> int:
        return len(self.items)

    @property
    def item_names(self) -> list[str]:
        return list(self.items.columns)

    @property
    def item_dimension(self) -> dict[str, str]:
        """``{item: dimension key}``."""
        return {i: d for d, items in self.dimensions.items() for i in items}

    def unkeyed_items(self) -> pd.DataFrame:
        """Item answers as given (reverse-keyed items reversed back): ``min + max - x`` again."""
        out = self.items.copy()
        for item, (lo, hi) in self.reversed.items():
            out[item] = lo + hi - out[item]
        return out

    def issues_of(self, kind: str) -> pd.DataFrame:
        return self.issues[self.issues["kind"] == kind]

    def issue_summary(self) -> pd.DataFrame:
        """Issues counted by kind and action (what a report shows)."""
        if self.issues.empty:
            return pd.DataFrame(columns=["kind", "action", "n"])
        return self.issues.groupby(["kind", "action"], sort=False).size().reset_index(name="n")

    def subset(self, keep: Sequence[bool] | pd.Series | np.ndarray, reason: str) -> Dataset:
        """A copy with only the rows where ``keep`` is true; ``exclusions[reason]`` records how
        many were taken out."""
        mask = np.asarray(keep, dtype=bool)
        if mask.shape != (len(self.items),):
            raise UserError(
                f"keep mask has {mask.size} values for {len(self.items)} respondents",
                hint="pass one value per respondent",
            )
        idx = self.items.index[mask]
        excl = dict(self.exclusions)
        excl[reason] = excl.get(reason, 0) + int((~mask).sum())
        return replace(
            self,
            items=self.items.loc[idx],
            checks=self.checks.loc[idx],
            background=self.background.loc[idx],
            exclusions=excl,
        )

    def summary(self) -> str:
        """A few lines on what was read and what was done."""
        where = str(self.source) if self.source else "in-memory data"
        lines = [
            f"{where}: {self.format}"
            + (f" ({self.platform} export)" if self.platform not in ("generic", "frame") else ""),
            f"{self.n_read} rows read, {self.n_kept} kept; {len(self.items.columns)} items in "
            f"{len(self.dimensions)} dimension(s)",
        ]
        if self.reversed:
            lines.append("reverse-keyed (min + max - x): " + ", ".join(self.reversed))
        for _, r in self.issue_summary().iterrows():
            lines.append(f"{r['kind']}: {r['n']} ({r['action']})")
        for reason, n in self.exclusions.items():
            lines.append(f"excluded by {reason}: {n}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """What was read and done, for the JSON results (no data)."""
        return {
            "source": str(self.source) if self.source else None,
            "sha256": self.sha256,
            "format": self.format,
            "platform": self.platform,
            "row_label": self.row_label,
            "n_read": self.n_read,
            "n_kept": self.n_kept,
            "items": self.item_names,
            "dimensions": self.dimensions,
            "higher_order": self.higher_order,
            "reversed": {k: list(v) for k, v in self.reversed.items()},
            "groups": self.groups,
            "cluster": self.cluster,
            "policy": self.policy.to_dict(),
            "issues": self.issue_summary().to_dict(orient="records"),
            "exclusions": dict(self.exclusions),
            "info": {k: v for k, v in self.info.items() if isinstance(v, (str, int, float))},
        }


# --- platform recognition -------------------------------------------------------------------------

QUALTRICS_META = {
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "ResponseID",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "ExternalDataReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate",
    "Q_RelevantIDDuplicateScore",
    "Q_RelevantIDFraudScore",
    "Q_RelevantIDLastStartDate",
}
QUALTRICS_RENAME = {
    "ResponseId": "respondent_id",
    "ResponseID": "respondent_id",
    "StartDate": "started",
    "EndDate": "submitted",
    "Duration (in seconds)": "duration_s",
    "UserLanguage": "lang",
}
#: Qualtrics ``Status`` values dropped under policy preview="drop" (text and numeric export forms).
QUALTRICS_DROP_STATUS = {
    "survey preview": "preview",
    "1": "preview",
    "survey test": "test",
    "2": "test",
    "spam": "spam",
    "8": "spam",
}
LIMESURVEY_META = {
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
    "token",
    "interviewtime",
}
LIMESURVEY_RENAME = {
    "id": "respondent_id",
    "startdate": "started",
    "submitdate": "submitted",
    "startlanguage": "lang",
    "interviewtime": "duration_s",
}
_LS_CODE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[([A-Za-z0-9_]+)\]$")


@dataclass
class _Platform:
    name: str
    header_rows: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    import_ids: dict[str, str] = field(default_factory=dict)


def _import_id(cell: Any) -> str | None:
    if not isinstance(cell, str) or not cell.startswith("{") or "ImportId" not in cell:
        return None
    try:
        return str(json.loads(cell).get("ImportId"))
    except (ValueError, AttributeError):
        return None


def detect_platform(frame: pd.DataFrame) -> _Platform:
    """Recognise a Qualtrics or LimeSurvey export, or moscale's own download, from the columns."""
    cols = set(frame.columns)
    n_id_rows = [
        sum(_import_id(c) is not None for c in frame.iloc[r].tolist())
        for r in range(min(2, len(frame)))
    ]
    if n_id_rows and max(n_id_rows) > 0:
        id_row = int(np.argmax(n_id_rows))
        plat = _Platform("qualtrics", header_rows=id_row + 1)
        for c in frame.columns:
            iid = _import_id(frame.iloc[id_row][c])
            if iid:
                plat.import_ids[c] = iid
            if id_row == 1 and isinstance(frame.iloc[0][c], str):
                plat.labels[c] = frame.iloc[0][c]
        return plat
    if {"ResponseId", "ResponseID"} & cols and {"StartDate", "Finished"} & cols:
        rid = "ResponseId" if "ResponseId" in cols else "ResponseID"
        first = frame.iloc[0][rid] if len(frame) else None
        if isinstance(first, str) and first.strip().lower() == "response id":
            plat = _Platform("qualtrics", header_rows=1)
            plat.labels = {c: frame.iloc[0][c] for c in frame.columns}
            return plat
        return _Platform("qualtrics")
    if "submitdate" in cols or any(_LS_CODE.match(c) for c in frame.columns):
        return _Platform("limesurvey")
    if {"respondent_id", "started", "submitted"} <= cols:
        return _Platform("moscale")
    return _Platform("generic")


# --- helpers --------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def _norm_label(text: Any) -> str:
    return " ".join(_TAG.sub(" ", str(text)).casefold().split())


def _norm_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _where(source: str, row_label: str, row: int | None, column: str | None = None) -> str:
    parts = [source]
    if row is not None:
        parts.append(f"{row_label} {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def _closest(name: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _truthy(v: Any) -> bool | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip().casefold()
    if s in {"true", "1", "1.0", "yes", "y"}:
        return True
    if s in {"false", "0", "0.0", "no", "n"}:
        return False
    return None


def _as_numeric(s: pd.Series) -> pd.Series:
    """Numbers stay numbers; numeric text becomes a float; other cells become NaN."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    # Convert each distinct value once (answer columns repeat a few codes over many rows).
    codes, uniques = pd.factorize(s.astype(object).to_numpy())
    numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").astype(float)
    out = np.full(len(s), np.nan)
    seen = codes >= 0
    out[seen] = numbers.to_numpy()[codes[seen]]
    return pd.Series(out, index=s.index, name=s.name)


# --- column maps from our exporters ---------------------------------------------------------------


def _load_column_map(column_map: Any) -> Any:
    try:
        from moscale.instrument.exporters.colmap import ColumnMap
    except ImportError:
        raise DataError(
            "column maps need moscale.instrument.exporters.colmap, which this installation lacks",
            hint="update moscale, or rename the columns to the codebook names yourself",
        ) from None
    if isinstance(column_map, ColumnMap):
        return column_map
    path = Path(column_map)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(
            f"cannot read the column map ({exc.strerror})",
            location=str(path),
            hint="give the path of the <study>_<platform>_columns.json file the export wrote",
        ) from None
    try:
        return ColumnMap.from_json(text)
    except UserError:
        raise
    except Exception as exc:
        raise DataError(
            f"not a column map ({exc})",
            location=str(path),
            hint="use the <study>_<platform>_columns.json file written with the questionnaire export",
        ) from None


def _find_column_map(
    path: Path | None, platform: str, instrument: Any, columns: Iterable[str]
) -> Path | None:
    """A ``<study>_<platform>_columns.json`` beside the data file that fits it.

    For a recognised Qualtrics or LimeSurvey export, the one map of that platform (of this study
    when there are several). For other files (XLSForm/KoboToolbox, REDCap, ...) a map of this
    study whose required columns are all in the file and which renames at least one of them.
    """
    if path is None:
        return None
    candidates = sorted(path.parent.glob("*_columns.json"))
    if not candidates:
        return None
    if platform in ("qualtrics", "limesurvey"):
        candidates = [c for c in candidates if c.name.endswith(f"_{platform}_columns.json")]
        if instrument is not None and len(candidates) > 1:
            mine = [c for c in candidates if c.name.startswith(f"{instrument.id}_")]
            candidates = mine or candidates
        return candidates[0] if len(candidates) == 1 else None
    if instrument is None:
        return None
    present = set(columns)
    fits = []
    for cand in candidates:
        if not cand.name.startswith(f"{instrument.id}_"):
            continue
        try:
            doc = json.loads(cand.read_text(encoding="utf-8"))
            cols = [c for c in doc["columns"] if c.get("kind") != "meta"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        found = [{c["column"], *c.get("aliases", [])} & present for c in cols]
        renames = any(
            name != c["variable"] for c, names in zip(cols, found, strict=True) for name in names
        )
        if cols and all(found) and renames:
            fits.append(cand)
    return fits[0] if len(fits) == 1 else None


# --- lavaan models --------------------------------------------------------------------------------


def _strip_modifier(term: str) -> str:
    return term.split("*")[-1].strip()


def _own_parse_measurement(text: str) -> list[tuple[str, list[str]]]:
    """``F =~ a + b`` statements of lavaan syntax (comments, ``;`` and continued lines handled;
    modifiers such as ``0.7*a``, ``NA*a`` or ``lab*a`` dropped)."""
    stmts: list[str] = []
    for raw in text.splitlines():
        line = re.sub(r"[#!].*", "", raw).strip()
        for part in line.split(";"):
            part = part.strip()
            if not part:
                continue
            if stmts and (stmts[-1].rstrip().endswith("+") or part.startswith("+")):
                stmts[-1] = stmts[-1] + " " + part
            else:
                stmts.append(part)
    out: list[tuple[str, list[str]]] = []
    for s in stmts:
        if "=~" not in s:
            continue
        lhs, rhs = s.split("=~", 1)
        terms = [_strip_modifier(t) for t in rhs.split("+") if t.strip()]
        out.append((lhs.strip(), [t for t in terms if t]))
    return out


def model_structure(model: str | Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Factors and their indicators from lavaan syntax (text or a file).

    Returns ``(dimensions, higher_order)``: first-order factors with their observed indicators,
    and factors measured by other factors. Uses the CFA engine's parser when it is installed.
    """
    text = str(model)
    if "=~" not in text:
        path = Path(text)
        if not path.exists():
            raise UserError(
                "the model has no '=~' (measured by) statement and is not a file",
                hint="write lavaan syntax such as 'F1 =~ x1 + x2 + x3' or give a .lav file",
            )
        text = path.read_text(encoding="utf-8")
    pairs = _parse_with_engine(text)
    if pairs is None:
        pairs = _own_parse_measurement(text)
    if not pairs:
        raise UserError(
            "the model has no '=~' (measured by) statement",
            hint="write lavaan syntax such as 'F1 =~ x1 + x2 + x3'",
        )
    measured: dict[str, list[str]] = {}
    for lhs, rhs in pairs:
        measured.setdefault(lhs, [])
        for r in rhs:
            if r not in measured[lhs]:
                measured[lhs].append(r)
    factors = set(measured)
    dims = {f: v for f, v in measured.items() if not set(v) & factors}
    higher = {f: v for f, v in measured.items() if set(v) & factors}
    return dims, higher


def _parse_with_engine(text: str) -> list[tuple[str, list[str]]] | None:
    try:
        from moscale.analysis.cfa.syntax import parse_model
    except ImportError:
        return None
    try:
        parsed = parse_model(text)
    except UserError:
        raise
    except Exception:
        return None
    rows: Iterable[Any]
    if isinstance(parsed, pd.DataFrame):
        rows = parsed.to_dict(orient="records")
    else:
        rows = getattr(parsed, "statements", None) or getattr(parsed, "rows", None) or parsed
    out: dict[str, list[str]] = {}
    try:
        for r in rows:
            get = r.get if isinstance(r, Mapping) else (lambda k, _r=r: getattr(_r, k, None))
            if get("op") == "=~":
                out.setdefault(str(get("lhs")), []).append(str(get("rhs")))
    except TypeError:
        return None
    return list(out.items()) or None


# --- reading --------------------------------------------------------------------------------------


def read_responses(
    path: str | Path | pd.DataFrame,
    instrument: Any = None,
    items: Sequence[str] | None = None,
    model: str | Path | None = None,
    reverse: Sequence[str] | None = None,
    policy: DataPolicy | str | Mapping[str, Any] | None = None,
    *,
    column_map: Any = None,
    scale_range: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    groups: Sequence[str] | None = None,
    cluster: str | None = None,
    respondent_id: str | None = None,
    sheet: str | int | None = None,
) -> Dataset:
    """Read survey responses into a coded, keyed :class:`Dataset`.

    Parameters
    ----------
    path : str, Path or DataFrame
        A CSV/TSV (delimiter and encoding sniffed: UTF-16 by BOM, UTF-8 with or without BOM,
        cp1252, latin-1), XLSX, SPSS ``.sav``/``.zsav``, Stata ``.dta`` or Parquet file; or a
        DataFrame already in memory. Qualtrics and LimeSurvey CSV exports are recognised.
    instrument : Instrument, str or Path, optional
        The study the data answers; columns are matched through its codebook, answer texts mapped
        through its value labels, declared missing codes set missing, reverse-keyed items reversed.
    items : list of str, optional
        Without an instrument: the item columns (one dimension, ``"items"``).
    model : str or Path, optional
        Without an instrument: lavaan syntax (or a file) whose ``=~`` statements name the items
        and their dimensions.
    reverse : list of str, optional
        Without an instrument: items to reverse (``min + max - x``; the range comes from
        ``scale_range``, SPSS/Stata value labels, or, recorded as an issue, the observed range).
    policy : DataPolicy, "default", "strict", "lenient" or dict
        What each kind of problem does (``docs/data-policy.md``).
    column_map : path or ColumnMap, optional
        The ``<study>_<platform>_columns.json`` our exporters wrote; by default one found beside
        the data file is used (recorded as an issue of kind ``column_map``).
    scale_range : (min, max) or {item: (min, max)}, optional
        Without an instrument: the response scale, for range checks and reversal.
    groups, cluster, respondent_id : str, optional
        Without an instrument (or to override it): group columns, the firm (cluster) column and
        the respondent id column.
    sheet : str or int, optional
        The worksheet of an XLSX file (default the first).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Unreadable file, no item column matched, duplicate respondent id (default policy), and
        whatever the policy makes an error. The message names the file, line/row, column and what
        to do.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 5], "b": [5, 4, 1]})
    >>> ds = read_responses(df, items=["a", "b"], reverse=["b"], scale_range=(1, 5))
    >>> ds.items["b"].tolist()
    [1.0, 2.0, 5.0]
    """
    pol = DataPolicy.coerce(policy)
    issues = _Issues()
    if isinstance(instrument, (str, Path)):
        from moscale.instrument import load_instrument

        instrument = load_instrument(instrument)
    if instrument is not None and (items is not None or model is not None):
        raise UserError(
            "give either an instrument or items/model, not both",
            hint="the instrument already says which columns are items",
        )
    if instrument is not None and reverse is not None:
        raise UserError(
            "reverse= is for data without an instrument",
            hint="reverse keying comes from the definition; mark the item 'reverse: true' there",
        )
    if instrument is None and items is None and model is None:
        raise UserError(
            "which columns are items? give an instrument, a lavaan model or an item list",
            hint="e.g. read_responses(path, instrument='study.yaml') or items=['q1', 'q2']",
        )

    if isinstance(path, pd.DataFrame):
        table = from_frame(path)
        source: Path | None = None
        checksum = None
        src = "<data frame>"
    else:
        source = Path(path)
        table = read_table(source, sheet=sheet)
        checksum = _sha256(source)
        src = str(source)

    frame = table.frame
    rows = np.asarray(table.rows)
    plat = detect_platform(frame)
    if plat.header_rows:
        frame = frame.iloc[plat.header_rows :]
        rows = rows[plat.header_rows :]
    frame = frame.reset_index(drop=True)
    frame.index = pd.Index(rows, name=table.row_label)
    raw = frame.copy()
    n_read = len(frame)
    if n_read == 0:
        raise DataError(
            "the file has a header but no responses",
            location=src,
            hint="check that the export includes the responses",
        )

    # --- column map written by our exporters
    cmap_path = None
    if column_map is None:
        cmap_path = _find_column_map(source, plat.name, instrument, frame.columns)
        column_map = cmap_path
    if column_map is not None:
        cmap = _load_column_map(column_map)
        frame = _apply_column_map(cmap, frame, src, table.row_label, pol, issues)
        issues.add(
            "column_map",
            None,
            None,
            str(column_map) if isinstance(column_map, (str, Path)) else cmap.platform,
            "applied",
            "columns renamed and recoded with the exporter's column map"
            + (f" found beside the data ({Path(cmap_path).name})" if cmap_path else ""),
        )

    # --- platform metadata to our meta names; preview/test/incomplete rows
    frame = _platform_meta(frame, plat)
    frame = _filter_rows(frame, plat, pol, issues, table.row_label)

    # --- which columns are what
    if instrument is not None:
        specs = instrument_variables(instrument)
        matched, unknown = _match_instrument(frame.columns, specs)
    else:
        specs, matched, unknown, adhoc_higher = _adhoc_specs(
            frame, table, items, model, reverse, scale_range, src, issues
        )
    by_name = {s.name: s for s in specs}
    item_specs = [s for s in specs if s.kind == "item"]
    found_items = [s for s in item_specs if s.name in matched]
    if not found_items:
        expected = ", ".join(s.name for s in item_specs[:6]) + (
            ", ..." if len(item_specs) > 6 else ""
        )
        raise DataError(
            "no item column matched",
            location=src,
            hint=f"the items are expected in columns named {expected}; "
            "pass the column map the questionnaire export wrote (column_map=...) or rename "
            "the columns to the codebook names",
        )
    for s in item_specs:
        if s.name not in matched:
            if pol.missing_item == "error":
                raise DataError(
                    f"no column for item '{s.name}'",
                    location=src,
                    hint="check the export, or use policy missing_item='flag' to go on without it",
                )
            issues.add(
                "missing_column",
                None,
                s.name,
                None,
                "flagged",
                f"the instrument's item '{s.name}' has no column in the data",
            )
    # platform metadata columns are kept in raw but are not unknown
    platform_meta = (
        QUALTRICS_META
        if plat.name == "qualtrics"
        else LIMESURVEY_META
        if plat.name == "limesurvey"
        else set()
    )
    for col in unknown:
        if col in platform_meta:
            continue
        if pol.unknown_column == "error":
            raise DataError(
                f"column '{col}' is not in the codebook",
                location=src,
                hint="remove it, or use the default policy (unknown columns are listed and "
                "ignored)",
            )
        issues.add(
            "unknown_column",
            None,
            col,
            None,
            "ignored",
            f"column '{col}' is not in the codebook" + _closest(col, by_name),
        )

    # --- code the values
    coded: dict[str, pd.Series] = {}
    background: dict[str, pd.Series] = {}
    for name, col in matched.items():
        spec = by_name[name]
        s = frame[col]
        if spec.kind in ("item", "check", "single", "multiple", "number"):
            coded[name] = _code_values(s, spec, table, col, pol, issues, src)
        elif spec.kind == "other":
            num = _as_numeric(s)
            # a column of numbers (firm ids, codes) is read as numbers; anything else stays text
            background[name] = num if num.notna().sum() == s.notna().sum() else s
        else:
            background[name] = s
    for name in list(coded):
        if by_name[name].kind not in ("item", "check"):
            background[name] = coded.pop(name)

    item_names = [s.name for s in found_items]
    items_df = pd.DataFrame({n: coded[n] for n in item_names}, index=frame.index)
    check_names = [s.name for s in specs if s.kind == "check" and s.name in coded]
    checks_df = pd.DataFrame({n: coded[n] for n in check_names}, index=frame.index)
    bg_order = [s.name for s in specs if s.name in background]
    bg_df = pd.DataFrame({n: background[n] for n in bg_order}, index=frame.index)
    if "duration_s" in bg_df:
        bg_df["duration_s"] = _as_numeric(bg_df["duration_s"])

    # --- respondent ids
    rid = respondent_id or _id_column(specs, bg_df)
    if rid is not None and rid not in bg_df.columns:
        raise DataError(
            f"no respondent id column '{rid}'",
            location=src,
            hint=f"use one of: {', '.join(bg_df.columns)}" + _closest(rid, bg_df.columns),
        )
    keep = pd.Series(True, index=frame.index)
    if rid is not None:
        keep &= _duplicates(bg_df[rid], pol, issues, src, table.row_label)
    items_df, checks_df, bg_df = items_df[keep], checks_df[keep], bg_df[keep]

    # --- reverse keying
    ranges = {s.name: (float(s.minimum), float(s.maximum)) for s in found_items}
    keyed = [s.name for s in found_items if s.reverse]
    rev: dict[str, tuple[float, float]] = {}
    for name in keyed:
        lo, hi = ranges[name]
        items_df[name] = lo + hi - items_df[name]
        rev[name] = (lo, hi)

    # --- quality flags on the kept rows
    _quality_flags(items_df, pol, issues)

    # --- structure
    dims: dict[str, list[str]] = {}
    blocks: dict[str, list[str]] = {}
    for s in found_items:
        dims.setdefault(s.dimension or "items", []).append(s.name)
        if s.block:
            blocks.setdefault(s.block, []).append(s.name)
    higher: dict[str, list[str]] = {}
    if instrument is not None:
        for block in instrument.blocks:
            ho = block.scale.higher_order
            if ho is not None:
                keys = [f"{block.id}.{d}" for d in ho.dimensions if f"{block.id}.{d}" in dims]
                if len(keys) >= 2:
                    higher[f"{block.id}.{ho.id}"] = keys
    else:
        higher = {k: [d for d in v if d in dims] for k, v in adhoc_higher.items()}

    group_cols = (
        list(groups)
        if groups is not None
        else [s.name for s in specs if s.role == "group" and s.name in bg_df.columns]
    )
    for g in group_cols:
        if g not in bg_df.columns:
            raise DataError(
                f"no group column '{g}'",
                location=src,
                hint=f"use one of: {', '.join(bg_df.columns)}" + _closest(g, bg_df.columns),
            )
    clus = cluster or next(
        (s.name for s in specs if s.role == "cluster" and s.name in bg_df.columns), None
    )
    if clus is not None and clus not in bg_df.columns:
        raise DataError(
            f"no cluster (firm) column '{clus}'",
            location=src,
            hint=f"use one of: {', '.join(bg_df.columns)}" + _closest(clus, bg_df.columns),
        )
    info = dict(table.info)
    info.update({k: v for k, v in (("labels", plat.labels), ("import_ids", plat.import_ids)) if v})
    info["columns"] = dict(matched)
    return Dataset(
        raw=raw,
        items=items_df,
        checks=checks_df,
        background=bg_df,
        dimensions=dims,
        higher_order=higher,
        blocks=blocks,
        scale_range=ranges,
        reversed=rev,
        check_expect={
            s.name: int(s.expect)
            for s in specs
            if s.kind == "check" and s.expect is not None and s.name in checks_df
        },
        groups=group_cols,
        cluster=clus,
        respondent_id=rid,
        duration="duration_s" if "duration_s" in bg_df.columns else None,
        issues=issues.frame(),
        source=source,
        sha256=checksum,
        format=table.format,
        platform=plat.name if table.format != "frame" else "frame",
        row_label=table.row_label,
        n_read=n_read,
        instrument=instrument,
        policy=pol,
        info=info,
    )


def _map_key(value: Any) -> str:
    """A cell as the column map's ``values`` keys are written ("5", "A5", "Y", "" for empty)."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).strip()
    return text[:-2] if re.fullmatch(r"-?\d+\.0", text) else text


def _apply_column_map(
    cmap: Any,
    frame: pd.DataFrame,
    src: str,
    row_label: str,
    pol: DataPolicy,
    issues: _Issues,
) -> pd.DataFrame:
    """Rename platform columns to codebook names and recode platform answer codes to ours.

    Cells the map does not define are handled by the policy first (off-scale numbers as
    ``out_of_range``, other text as ``non_numeric``), and answers the map codes as missing
    (don't know) are counted as ``declared_missing``, so that the map never stops a run the
    policy would let go on, and nothing becomes missing unrecorded.
    """
    frame = frame.copy()
    present = set(frame.columns)
    for col in cmap.columns:
        source = next((n for n in (col.column, *col.aliases) if n in present), None)
        if source is None or col.values is None or col.sequence is not None:
            continue
        keys = frame[source].map(_map_key)
        unknown = keys.ne("") & ~keys.isin(list(col.values))
        for row in frame.index[unknown.to_numpy()]:
            value = frame.at[row, source]
            numeric = re.fullmatch(r"-?\d+(\.\d+)?", _map_key(value)) is not None
            kind = "out_of_range" if numeric else "non_numeric"
            what = (
                f"value {_map_key(value)} is not a code of this question"
                if numeric
                else f"'{value}' is not an answer code of this question"
            )
            if getattr(pol, kind) == "error":
                raise DataError(
                    f"{what} ({', '.join(k for k in col.values if k)})",
                    location=_where(src, row_label, row, source),
                    hint="correct the cell, or read with the default policy (it becomes missing "
                    "and is flagged)",
                )
            issues.add(kind, row, source, _json_value(value), "set missing", what)
            frame.at[row, source] = None
        dk_keys = [k for k, v in col.values.items() if v is None and k != ""]
        dk = keys.isin(dk_keys)
        if dk.any():
            issues.add(
                "declared_missing",
                None,
                col.variable,
                ", ".join(sorted(set(keys[dk]))),
                "set missing",
                f"{int(dk.sum())} answer(s) coded as missing by the column map "
                f"({', '.join(sorted(set(keys[dk])))})",
            )
    try:
        out = cmap.rename_and_recode(frame, keep_unmapped=True)
    except UserError as exc:
        raise DataError(
            exc.message,
            location=exc.location or src,
            hint=(exc.hint or "") + f" (an 'index' in the message is the {row_label} number)",
        ) from None
    if len(out) != len(frame):  # pragma: no cover - the map keeps rows
        raise DataError("the column map changed the number of rows", location=src)
    return out.rename(
        columns={
            k: v
            for k, v in {"_response_id": "respondent_id", "_language": "lang"}.items()
            if k in out.columns and v not in out.columns
        }
    )


def _platform_meta(frame: pd.DataFrame, plat: _Platform) -> pd.DataFrame:
    rename = (
        QUALTRICS_RENAME
        if plat.name == "qualtrics"
        else LIMESURVEY_RENAME
        if plat.name == "limesurvey"
        else {}
    )
    todo = {
        src: dst for src, dst in rename.items() if src in frame.columns and dst not in frame.columns
    }
    return frame.rename(columns=todo) if todo else frame


def _filter_rows(
    frame: pd.DataFrame, plat: _Platform, pol: DataPolicy, issues: _Issues, row_label: str
) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if plat.name == "qualtrics" and "Status" in frame.columns and pol.preview == "drop":
        status = frame["Status"].map(lambda v: None if v is None else str(v).strip().casefold())
        status = status.map(lambda v: v[:-2] if isinstance(v, str) and v.endswith(".0") else v)
        kinds = status.map(QUALTRICS_DROP_STATUS)
        for row, kind in kinds.dropna().items():
            keep[row] = False
            issues.add(
                f"{kind}_row",
                row,
                "Status",
                frame.at[row, "Status"],
                "dropped",
                f"Qualtrics marks this response as {kind} (Status '{frame.at[row, 'Status']}')",
            )
    incomplete = pd.Series(False, index=frame.index)
    what = ""
    if plat.name == "qualtrics" and "Finished" in frame.columns:
        fin = frame["Finished"].map(_truthy)
        incomplete = fin.eq(False) & keep
        what = "Finished is false"
        col = "Finished"
    elif plat.name == "limesurvey" and "submitted" in frame.columns:
        incomplete = frame["submitted"].isna() & keep
        what = "submitdate is empty"
        col = "submitdate"
    if incomplete.any() and pol.incomplete != "keep":
        action = "dropped" if pol.incomplete == "drop" else "flagged"
        for row in frame.index[incomplete.to_numpy()]:
            issues.add(
                "incomplete_row",
                row,
                col,
                frame.at[row, "Finished"] if col == "Finished" else None,
                action,
                f"unfinished response ({what}); {action} under policy incomplete="
                f"'{pol.incomplete}'",
            )
        if pol.incomplete == "drop":
            keep &= ~incomplete
    return frame[keep.to_numpy()]


def _match_instrument(
    columns: Iterable[str], specs: list[VarSpec]
) -> tuple[dict[str, str], list[str]]:
    """Match file columns to codebook names: exactly, ignoring case, then ignoring case and
    punctuation (``MKTOR[CO1]`` or ``MKTOR_CO1`` for ``mktor_co1``), each only when unique."""
    columns = list(columns)
    free = list(columns)
    matched: dict[str, str] = {}
    for key in (lambda x: x, str.casefold, _norm_name):
        col_keys: dict[str, list[str]] = {}
        for c in free:
            col_keys.setdefault(key(c), []).append(c)
        spec_keys: dict[str, list[str]] = {}
        for s in specs:
            if s.name not in matched:
                spec_keys.setdefault(key(s.name), []).append(s.name)
        for k, names in spec_keys.items():
            cols = col_keys.get(k, [])
            if len(names) == 1 and len(cols) == 1:
                matched[names[0]] = cols[0]
                free.remove(cols[0])
    return matched, free


def _adhoc_specs(
    frame: pd.DataFrame,
    table: RawTable,
    items: Sequence[str] | None,
    model: str | Path | None,
    reverse: Sequence[str] | None,
    scale_range: Any,
    src: str,
    issues: _Issues,
) -> tuple[list[VarSpec], dict[str, str], list[str], dict[str, list[str]]]:
    if items is not None and model is not None:
        raise UserError("give items or a model, not both", hint="the model names the items")
    higher: dict[str, list[str]] = {}
    if model is not None:
        dims, higher = model_structure(model)
    else:
        if isinstance(items, str):
            items = [items]
        dims = {"items": list(dict.fromkeys(items or []))}
    item_dim = {i: d for d, its in dims.items() for i in its}
    cols = list(frame.columns)
    lower = {}
    for c in cols:
        lower.setdefault(c.casefold(), []).append(c)
    matched: dict[str, str] = {}
    missing = []
    for name in item_dim:
        if name in cols:
            matched[name] = name
        elif len(lower.get(name.casefold(), [])) == 1:
            matched[name] = lower[name.casefold()][0]
        else:
            missing.append(name)
    if missing:
        hint = "; ".join(f"'{m}'{_closest(m, cols)}" for m in missing[:5])
        raise DataError(
            f"{'the model names' if model is not None else 'no column for'} "
            f"{len(missing)} item(s) not in the data: {', '.join(missing[:10])}",
            location=src,
            hint=f"check the spelling ({hint}); the data has: {', '.join(cols[:12])}"
            + (", ..." if len(cols) > 12 else ""),
        )
    rev = set(reverse or ())
    bad_rev = [r for r in rev if r not in item_dim]
    if bad_rev:
        raise UserError(
            f"reverse= names {', '.join(sorted(bad_rev))}, which are not items",
            hint=f"use item names: {', '.join(list(item_dim)[:10])}",
        )
    specs: list[VarSpec] = []
    for name, col in matched.items():
        file_labels = table.value_labels.get(col, {})
        miss = tuple(table.missing_values.get(col, ()))
        lo = hi = None
        if isinstance(scale_range, Mapping) and name in scale_range:
            lo, hi = scale_range[name]
        elif scale_range is not None and not isinstance(scale_range, Mapping):
            lo, hi = scale_range
        elif file_labels:
            flat_miss = {m for m in miss if not isinstance(m, tuple)}
            codes = [
                c
                for c in file_labels
                if isinstance(c, (int, float))
                and c not in flat_miss
                and not any(isinstance(m, tuple) and m[0] <= c <= m[1] for m in miss)
            ]
            if codes:
                lo, hi = min(codes), max(codes)
        if lo is None:
            num = _as_numeric(frame[col])
            for m in miss:
                num = num.mask(num.between(*m) if isinstance(m, tuple) else num.eq(m))
            if num.notna().any():
                lo, hi = float(num.min()), float(num.max())
                issues.add(
                    "range_inferred",
                    None,
                    name,
                    f"{lo:g}..{hi:g}",
                    "used the observed range",
                    f"no scale range given for '{name}'; the observed minimum and maximum "
                    f"({lo:g}..{hi:g}) are used"
                    + (" to reverse it" if name in rev else "")
                    + "; pass scale_range=(min, max) to state it",
                )
        specs.append(
            VarSpec(
                name=name,
                kind="item",
                labels={c: {"": lab} for c, lab in file_labels.items()},
                missing_codes=miss,
                minimum=lo,
                maximum=hi,
                reverse=name in rev,
                dimension=item_dim[name],
            )
        )
    used = set(matched.values())
    for c in cols:
        if c not in used:
            specs.append(VarSpec(name=c, kind="other"))
            matched[c] = c
    return specs, matched, [], higher


def _code_values(
    s: pd.Series,
    spec: VarSpec,
    table: RawTable,
    col: str,
    pol: DataPolicy,
    issues: _Issues,
    src: str,
) -> pd.Series:
    """Numbers from one column: answer texts through the value labels, declared missing codes to
    NaN, values off the scale per policy; every change recorded."""
    num = _as_numeric(s)
    text = s.notna() & num.isna()
    if text.any():
        lookup: dict[str, set] = {}
        label_sets = [
            spec.labels,
            {c: {"": lab} for c, lab in table.value_labels.get(col, {}).items()},
        ]
        for labels in label_sets:
            for code, langs in labels.items():
                for lab in langs.values():
                    lookup.setdefault(_norm_label(lab), set()).add(code)
        unique = {k: next(iter(v)) for k, v in lookup.items() if len(v) == 1}
        if spec.kind == "multiple":
            mapped = s[text].map(lambda v: {True: 1.0, False: 0.0}.get(_truthy(v)))
            mapped = mapped.fillna(s[text].map(lambda v: unique.get(_norm_label(v))))
        else:
            mapped = s[text].map(lambda v: unique.get(_norm_label(v)))
        num.loc[text] = pd.to_numeric(mapped, errors="coerce").astype(float)
        still = text & num.isna()
        for row in s.index[still.to_numpy()]:
            value = s.at[row]
            where = _where(src, table.row_label, row, col)
            if pol.non_numeric == "error" and spec.kind in ("item", "check"):
                raise DataError(
                    f"'{value}' is neither a number nor an answer label of the scale",
                    location=where,
                    hint="correct the cell, or read with the default policy (the cell becomes "
                    "missing and is flagged)",
                )
            issues.add(
                "non_numeric",
                row,
                col,
                value,
                "set missing",
                f"'{value}' is neither a number nor an answer label",
            )
    # declared missing codes (don't know, SPSS user-missing)
    miss = list(spec.missing_codes) + list(table.missing_values.get(col, ()))
    if miss:
        is_dm = pd.Series(False, index=num.index)
        for m in miss:
            is_dm |= num.between(*m) if isinstance(m, tuple) else num.eq(m)
        if is_dm.any():
            codes = sorted({_json_value(v) for v in num[is_dm]})
            issues.add(
                "declared_missing",
                None,
                col,
                ", ".join(str(c) for c in codes),
                "set missing",
                f"{int(is_dm.sum())} answer(s) with a declared missing code "
                f"({', '.join(str(c) for c in codes)}) set missing",
            )
            num = num.mask(is_dm)
    # off the scale
    if spec.codes is not None:
        bad = num.notna() & ~num.isin([float(c) for c in spec.codes])
        scale = (
            f"{spec.minimum:g}..{spec.maximum:g}"
            if spec.kind in ("item", "check", "multiple")
            else ", ".join(str(c) for c in spec.codes)
        )
    elif spec.minimum is not None or spec.maximum is not None:
        lo = -np.inf if spec.minimum is None else spec.minimum
        hi = np.inf if spec.maximum is None else spec.maximum
        bad = num.notna() & ((num < lo) | (num > hi))
        scale = f"{'' if spec.minimum is None else f'{lo:g}'}..{'' if spec.maximum is None else f'{hi:g}'}"
    else:
        bad = pd.Series(False, index=num.index)
    if bad.any():
        for row in num.index[bad.to_numpy()]:
            value = _json_value(num.at[row])
            if pol.out_of_range == "error":
                raise DataError(
                    f"value {value} is outside the scale ({scale})",
                    location=_where(src, table.row_label, row, col),
                    hint="correct the value, declare it as a missing code in the definition, or "
                    "read with the default policy (the value becomes missing and is flagged)",
                )
            issues.add(
                "out_of_range",
                row,
                col,
                value,
                "set missing",
                f"value {value} is outside the scale ({scale})",
            )
        num = num.mask(bad)
    return num


def _id_column(specs: list[VarSpec], bg: pd.DataFrame) -> str | None:
    for s in specs:
        if s.role == "respondent_id" and s.name in bg.columns:
            return s.name
    return "respondent_id" if "respondent_id" in bg.columns else None


def _duplicates(
    ids: pd.Series, pol: DataPolicy, issues: _Issues, src: str, row_label: str
) -> pd.Series:
    key = ids.map(
        lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
    )
    dup = key.notna() & key.duplicated(keep=False)
    keep = pd.Series(True, index=ids.index)
    if not dup.any():
        return keep
    if pol.duplicate_id == "error":
        first = key[dup].iloc[0]
        rows = [int(r) for r in key.index[(key == first).to_numpy()]]
        n_ids = key[dup].nunique()
        raise DataError(
            f"respondent id '{first}' appears more than once ({row_label}s "
            f"{', '.join(map(str, rows))})"
            + (f"; {n_ids - 1} more id(s) repeat" if n_ids > 1 else ""),
            location=src,
            hint="remove the duplicate responses, or read with policy duplicate_id='flag' "
            "(keep both, flagged) or 'keep_first'",
        )
    later = key.notna() & key.duplicated(keep="first")
    for row in ids.index[dup.to_numpy()]:
        drop = pol.duplicate_id == "keep_first" and bool(later[row])
        issues.add(
            "duplicate_id",
            row,
            ids.name,
            ids.at[row],
            "dropped" if drop else "flagged",
            f"respondent id '{key[row]}' appears more than once"
            + ("; this later occurrence was dropped" if drop else ""),
        )
    if pol.duplicate_id == "keep_first":
        keep &= ~later
    return keep


def _quality_flags(items: pd.DataFrame, pol: DataPolicy, issues: _Issues) -> None:
    if items.empty:
        return
    miss = items.isna()
    for col in items.columns:
        values = items[col].dropna().unique()
        if len(values) <= 1:
            issues.add(
                "zero_variance",
                None,
                col,
                values[0] if len(values) else None,
                "flagged",
                "every answer is the same" if len(values) else "no answers at all",
            )
        share = float(miss[col].mean())
        if share > pol.max_item_missing:
            issues.add(
                "item_missing",
                None,
                col,
                round(share, 4),
                "flagged",
                f"{share:.1%} of answers missing (threshold {pol.max_item_missing:.0%})",
            )
    person = miss.mean(axis=1)
    for row in items.index[(person > pol.max_respondent_missing).to_numpy()]:
        share = float(person[row])
        issues.add(
            "respondent_missing",
            row,
            None,
            round(share, 4),
            "flagged",
            f"{share:.1%} of this respondent's item answers missing "
            f"(threshold {pol.max_respondent_missing:.0%})",
        )
