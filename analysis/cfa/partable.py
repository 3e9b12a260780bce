"""The parameter table: one row per model parameter, the structure every later stage reads.

Columns follow lavaan's ``parTable()`` (Rosseel, 2012): ``lhs``, ``op``, ``rhs``, ``group`` (1-based),
``user`` (1 written by the user, 0 added by default), ``free`` (0 fixed, else the 1-based index of the
parameter in the estimation vector; rows that share a label share an index, which is how equality
constraints work), ``value`` (the fixed value, NaN when free), ``ustart`` (a user start value),
``label`` and ``plabel`` (``.p<id>.``).

The defaults are those of lavaan's ``cfa()``: the first loading of each factor fixed to 1 (or, with
``std_lv``, every factor variance fixed to 1 and all loadings free); residual variances of observed
variables and variances of latent variables free; covariances free among the exogenous latent
variables (those that are not indicators of a higher-order factor); with a mean structure,
intercepts free and latent means fixed to 0. ``group_equal`` gives the rows of one kind the same label
in every group; equal intercepts free the latent means, and equal loadings under ``std_lv`` free the
latent variances, in every group but the first.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from moscale.errors import ModelError

from .syntax import Modifier, ParsedModel, Statement

__all__ = ["GROUP_EQUAL_KINDS", "PT_COLUMNS", "ParTable", "build_partable", "count_free"]

GROUP_EQUAL_KINDS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
)


#: lavaan's parameter-table columns, in lavaan's order
PT_COLUMNS = (
    "id",
    "lhs",
    "op",
    "rhs",
    "user",
    "group",
    "free",
    "value",
    "ustart",
    "label",
    "plabel",
)


def count_free(frame: pd.DataFrame) -> int:
    """Number of free parameters of a table whose ``free`` column numbers them 1..npar (rows
    sharing a parameter through an equality constraint share its number; 0 = fixed)."""
    free = frame["free"].to_numpy()
    return int(free.max()) if free.size and free.max() > 0 else 0


@dataclass
class ParTable:
    """A parameter table plus the variable names it was built for.

    Attributes
    ----------
    frame
        The table (see the module docstring for the columns); ``est``/``se`` are filled after fitting.
    ov_names
        Observed variables in model order (indicators by first appearance, then others).
    lv_names
        Latent variables in order of first appearance as the left-hand side of ``=~``.
    ngroups
        Number of groups.
    meanstructure
        Whether intercepts and latent means are part of the model.
    warnings
        Plain-language notes produced while building (e.g. a single label in several groups).
    """

    frame: pd.DataFrame
    ov_names: list[str]
    lv_names: list[str]
    ngroups: int
    meanstructure: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def npar(self) -> int:
        """Number of free parameters (after equality constraints)."""
        return count_free(self.frame)

    @property
    def lv_indicators(self) -> dict[str, list[str]]:
        """Factor -> its indicators (observed or latent), in model order (group 1)."""
        f = self.frame
        rows = f[(f["op"] == "=~") & (f["group"] == 1)]
        out: dict[str, list[str]] = {lv: [] for lv in self.lv_names}
        for lhs, rhs in zip(rows["lhs"], rows["rhs"], strict=True):
            out[lhs].append(rhs)
        return out

    @property
    def higher_order(self) -> list[str]:
        """Latent variables with latent indicators (second-order factors)."""
        lv = set(self.lv_names)
        return [f for f, ind in self.lv_indicators.items() if any(i in lv for i in ind)]

    @property
    def exogenous_lv(self) -> list[str]:
        """Latent variables that are not indicators of another factor."""
        endo = {i for ind in self.lv_indicators.values() for i in ind}
        return [lv for lv in self.lv_names if lv not in endo]

    def copy(self) -> ParTable:
        return ParTable(
            self.frame.copy(),
            list(self.ov_names),
            list(self.lv_names),
            self.ngroups,
            self.meanstructure,
            list(self.warnings),
        )


def _per_group(values: tuple | None, g: int, ngroups: int, st: Statement, what: str):
    if values is None:
        return None, False
    if len(values) == 1:
        return values[0], True
    if len(values) != ngroups:
        raise ModelError(
            f"{what} c(...) for {st.lhs} {st.op} {st.rhs} has {len(values)} entries but the model has "
            f"{ngroups} group(s)",
            hint="Give one entry per group, in the order of the groups.",
            location=f"model syntax, line {st.line}",
        )
    return values[g], False


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    if op == "~~" and rhs < lhs:
        return rhs, op, lhs
    return lhs, op, rhs


def build_partable(
    parsed: ParsedModel,
    *,
    ngroups: int = 1,
    std_lv: bool = False,
    meanstructure: bool = False,
    group_equal: tuple[str, ...] | list[str] = (),
) -> ParTable:
    """Build the parameter table from parsed syntax with lavaan ``cfa()`` defaults.

    Parameters
    ----------
    parsed
        Output of :func:`~moscale.analysis.cfa.syntax.parse_model`.
    ngroups
        Number of groups (a multi-group model repeats every row per group).
    std_lv
        Identify factors by fixing their variances to 1 and freeing all loadings.
    meanstructure
        Add intercepts (free) and latent means (fixed at 0). Forced on by ``~ 1`` statements and
        by several groups.
    group_equal
        Any of :data:`GROUP_EQUAL_KINDS`: rows of that kind get one label across groups.

    Returns
    -------
    ParTable
    """
    bad = [k for k in group_equal if k not in GROUP_EQUAL_KINDS]
    if bad:
        raise ModelError(
            f"unknown group_equal entry {bad[0]!r}",
            hint="Use any of: " + ", ".join(GROUP_EQUAL_KINDS) + ".",
        )
    statements = [s for s in parsed.statements if s.op != "=="]
    eq_pairs = [(s.lhs, s.rhs, s) for s in parsed.statements if s.op == "=="]
    if any(s.op == "~1" for s in statements) or ngroups > 1:
        meanstructure = True

    lv_names = parsed.latent_names
    lv_set = set(lv_names)
    ov_names = _ov_order(statements, lv_set)
    _check_statements(statements, lv_set)

    warnings: list[str] = []
    rows: list[dict] = []
    single_label_multi = False

    for g in range(ngroups):
        grows: list[dict] = []
        seen: dict[tuple[str, str, str], Statement] = {}
        for st in statements:
            key = _key(st.lhs, st.op, st.rhs)
            if key in seen:
                prev = seen[key]
                raise ModelError(
                    f"the parameter {st.lhs} {st.op} {st.rhs} is specified twice "
                    f"(lines {prev.line} and {st.line})",
                    hint="Keep one statement per parameter.",
                    location=f"model syntax, line {st.line}",
                )
            seen[key] = st
            grows.append(_user_row(st, g, ngroups))
            if ngroups > 1 and st.modifier.label is not None and len(st.modifier.label) == 1:
                single_label_multi = True
        present = {_key(r["lhs"], r["op"], r["rhs"]) for r in grows}

        def add(
            lhs: str,
            op: str,
            rhs: str,
            value: float = np.nan,
            *,
            _g=g,
            _grows=grows,
            _present=present,
        ) -> None:
            if _key(lhs, op, rhs) in _present:
                return
            _present.add(_key(lhs, op, rhs))
            _grows.append(
                dict(
                    lhs=lhs,
                    op=op,
                    rhs=rhs,
                    group=_g + 1,
                    user=0,
                    value=value,
                    ustart=np.nan,
                    label="",
                    auto_fixed=not np.isnan(value),
                )
            )

        # Scaling of each factor.
        for lv in lv_names:
            first = next(r for r in grows if r["op"] == "=~" and r["lhs"] == lv)
            if std_lv:
                if _key(lv, "~~", lv) not in present:
                    add(lv, "~~", lv, 1.0)
            elif first["user_fixed"] is None:  # no NA* / number on the first indicator
                first["value"] = 1.0
                first["auto_fixed"] = True
        for ov in ov_names:
            add(ov, "~~", ov)
        for lv in lv_names:
            add(lv, "~~", lv)
        exo = [lv for lv in lv_names if not any(r["op"] == "=~" and r["rhs"] == lv for r in grows)]
        for i, a in enumerate(exo):
            for b in exo[i + 1 :]:
                add(a, "~~", b)
        if meanstructure:
            for ov in ov_names:
                add(ov, "~1", "")
            for lv in lv_names:
                add(lv, "~1", "", 0.0)
        rows.extend(grows)

    if single_label_multi:
        warnings.append(
            "A single label in a multi-group model makes that parameter equal in every group; "
            "use c(a1, a2, ...) for group-specific labels."
        )

    frame = pd.DataFrame(rows)
    frame = frame.drop(columns=["user_fixed"], errors="ignore")
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["plabel"] = [f".p{i}." for i in frame["id"]]
    frame["label"] = frame["label"].fillna("").astype(str)
    frame["auto_fixed"] = frame["auto_fixed"].fillna(False).astype(bool)

    if ngroups > 1 and group_equal:
        _apply_group_equal(frame, tuple(group_equal), lv_set, std_lv)

    frame["free"] = _assign_free(frame, eq_pairs)
    frame = frame.drop(columns=["auto_fixed"])
    cols = list(PT_COLUMNS)
    frame = frame[cols].reset_index(drop=True)
    return ParTable(frame, ov_names, lv_names, ngroups, meanstructure, warnings)


def _ov_order(statements: list[Statement], lv_set: set[str]) -> list[str]:
    out: list[str] = []
    for s in statements:
        if s.op == "=~" and s.rhs not in lv_set and s.rhs not in out:
            out.append(s.rhs)
    for s in statements:
        for name in (s.lhs, s.rhs):
            if name and name not in lv_set and name not in out:
                out.append(name)
    return out


def _check_statements(statements: list[Statement], lv_set: set[str]) -> None:
    if not lv_set:
        raise ModelError(
            "the model defines no factor (no `=~` statement)",
            hint="A CFA needs at least one factor, e.g. `customer =~ co1 + co2 + co3`.",
        )
    for s in statements:
        if s.op == "=~" and s.rhs == s.lhs:
            raise ModelError(
                f"factor {s.lhs} is its own indicator",
                location=f"model syntax, line {s.line}",
                hint="A factor's indicators must be items or other factors.",
            )
        if s.op == "~~" and ((s.lhs in lv_set) != (s.rhs in lv_set)):
            raise ModelError(
                f"{s.lhs} ~~ {s.rhs} mixes a factor and an observed variable",
                location=f"model syntax, line {s.line}",
                hint="Covariances are either among factors or among items' residuals.",
            )


def _user_row(st: Statement, g: int, ngroups: int) -> dict:
    mod: Modifier = st.modifier
    fixed, _ = _per_group(mod.fixed, g, ngroups, st, "fixed values")
    label, _ = _per_group(mod.label, g, ngroups, st, "labels")
    start, _ = _per_group(mod.start, g, ngroups, st, "start values")
    specified = mod.fixed is not None
    value = np.nan if fixed is None else float(fixed)
    return dict(
        lhs=st.lhs,
        op=st.op,
        rhs=st.rhs,
        group=g + 1,
        user=1,
        value=value,
        ustart=np.nan if start is None else float(start),
        label=label or "",
        auto_fixed=False,
        user_fixed=("fixed" if fixed is not None else "free") if specified else None,
    )


def _apply_group_equal(
    frame: pd.DataFrame, group_equal: tuple[str, ...], lv_set: set[str], std_lv: bool
) -> None:
    is_lv_l = frame["lhs"].isin(lv_set)
    is_lv_r = frame["rhs"].isin(lv_set)
    kinds = {
        "loadings": (frame["op"] == "=~"),
        "intercepts": (frame["op"] == "~1") & ~is_lv_l,
        "means": (frame["op"] == "~1") & is_lv_l,
        "residuals": (frame["op"] == "~~") & ~is_lv_l & (frame["lhs"] == frame["rhs"]),
        "residual.covariances": (frame["op"] == "~~") & ~is_lv_l & (frame["lhs"] != frame["rhs"]),
        "lv.variances": (frame["op"] == "~~") & is_lv_l & is_lv_r & (frame["lhs"] == frame["rhs"]),
        "lv.covariances": (frame["op"] == "~~")
        & is_lv_l
        & is_lv_r
        & (frame["lhs"] != frame["rhs"]),
    }
    g1 = frame["group"] == 1
    for kind in group_equal:
        mask = kinds[kind]
        for idx in frame.index[mask & g1]:
            if frame.at[idx, "label"]:
                continue  # a user label already ties it
            lab = frame.at[idx, "plabel"]
            same = (
                mask
                & (frame["lhs"] == frame.at[idx, "lhs"])
                & (frame["rhs"] == frame.at[idx, "rhs"])
            )
            for j in frame.index[same]:
                if not frame.at[j, "label"]:
                    frame.at[j, "label"] = lab
    later = frame["group"] > 1
    # With equal intercepts the latent means become estimable in the other groups (lavaan does the
    # same); with equal loadings under std_lv, so do the latent variances.
    if "intercepts" in group_equal and "means" not in group_equal:
        m = kinds["means"] & later & frame["auto_fixed"]
        frame.loc[m, "value"] = np.nan
        frame.loc[m, "auto_fixed"] = False
    if std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
        m = kinds["lv.variances"] & later & frame["auto_fixed"]
        frame.loc[m, "value"] = np.nan
        frame.loc[m, "auto_fixed"] = False


def equality_classes(
    keys: Sequence[Sequence[Hashable]], ties: Sequence[tuple[Hashable, Hashable]] = ()
) -> np.ndarray:
    """The root (smallest row index) of each row's equality class, by union-find: rows that share
    any key are one class, and each ``(key_a, key_b)`` tie joins the classes of the two keys (which
    must occur in ``keys``; check first for a helpful message)."""
    n = len(keys)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    first_of: dict[Hashable, int] = {}
    for i, row_keys in enumerate(keys):
        for k in row_keys:
            if k in first_of:
                union(first_of[k], i)
            else:
                first_of[k] = i
    for a, b in ties:
        union(first_of[a], first_of[b])
    return np.array([find(i) for i in range(n)], dtype=int)


def fix_classes(frame: pd.DataFrame, roots: np.ndarray) -> np.ndarray:
    """The ``value`` column with every class that contains a fixed row fixed at that value."""
    value = frame["value"].to_numpy(dtype=float).copy()
    for r in np.unique(roots):
        members = np.flatnonzero(roots == r)
        fixed_vals = value[members][~np.isnan(value[members])]
        if fixed_vals.size:
            if np.ptp(fixed_vals) > 0:
                raise ModelError(
                    "parameters constrained to be equal are fixed at different values: "
                    + ", ".join(
                        f"{frame.at[m, 'lhs']} {frame.at[m, 'op']} {frame.at[m, 'rhs']}"
                        for m in members
                    ),
                    hint="Remove the label or the fixed value.",
                )
            value[members] = fixed_vals[0]
    return value


def _assign_free(frame: pd.DataFrame, eq_pairs: list[tuple[str, str, Statement]]) -> np.ndarray:
    """Give each free row its parameter index; rows sharing a label (or tied by ==) share one."""
    labels = frame["label"].to_numpy()
    used = {lab for lab in labels if lab}
    for a, b, st in eq_pairs:
        for lab in (a, b):
            if lab not in used:
                raise ModelError(
                    f"the label {lab!r} in `{a} == {b}` is not used in the model",
                    location=f"model syntax, line {st.line}",
                    hint="Label a parameter first, e.g. `F =~ x1 + a*x2`, then write `a == b`.",
                )
    roots = equality_classes(
        [[lab] if lab else [] for lab in labels], [(a, b) for a, b, _ in eq_pairs]
    )
    value = fix_classes(frame, roots)
    frame["value"] = value
    free = np.zeros(len(frame), dtype=int)
    index_of_root: dict[int, int] = {}
    k = 0
    for i in range(len(frame)):
        if not np.isnan(value[i]):
            continue
        r = roots[i]
        if r not in index_of_root:
            k += 1
            index_of_root[r] = k
        free[i] = index_of_root[r]
    return free


def independence_partable(ov_names: list[str], ngroups: int, meanstructure: bool) -> ParTable:
    """The baseline ("independence") model: free variances (and means), no covariances."""
    rows = []
    for g in range(1, ngroups + 1):
        for ov in ov_names:
            rows.append(dict(lhs=ov, op="~~", rhs=ov, group=g, user=0, value=np.nan))
        if meanstructure:
            for ov in ov_names:
                rows.append(dict(lhs=ov, op="~1", rhs="", group=g, user=0, value=np.nan))
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["free"] = np.arange(1, len(frame) + 1)
    frame["ustart"] = np.nan
    frame["label"] = ""
    frame["plabel"] = [f".p{i}." for i in frame["id"]]
    cols = list(PT_COLUMNS)
    return ParTable(frame[cols], list(ov_names), [], ngroups, meanstructure)
