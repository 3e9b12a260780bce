"""Simulated responses to a study from a documented population model.

Used by ``moscale simulate`` (rehearse an analysis, plan a sample size), by the bundled demo data and by
recovery tests. The model is a common-factor model per dimension with ordinal items obtained by
cutting normal responses at thresholds (the latent-response formulation used by WLSMV; Muthén, 1984):

    y*_ij = λ_j η_i(d(j)) + sqrt(1 - λ_j²) ε_ij,   x_ij = c  if  τ_(c-1) < y*_ij ≤ τ_c,

with standardised factors whose correlations are ``within_scale_r`` inside a scale and
``between_scale_r`` across scales. Respondents are nested in firms: each factor score is
``sqrt(icc) u_firm + sqrt(1 - icc) e_respondent`` so that the intraclass correlation of the factor is
``icc``. Group effects shift factor means; a differing loading in one group plants non-invariance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from moscale.errors import UserError
from moscale.instrument.model import Instrument


@dataclass(frozen=True)
class PopulationModel:
    """What :func:`simulate_responses` draws from. Every field has a defensible default.

    Attributes
    ----------
    loading : float
        Standardised loading of every item on its dimension (default .70).
    item_loadings : dict
        ``{item id: loading}`` overrides, e.g. a weak item at .25.
    within_scale_r, between_scale_r : float
        Correlations between dimensions of the same scale / of different scales.
    skew : float
        Shift of the thresholds: positive values pile answers at the agreeing end, as ratings of
        one's own firm usually do.
    n_firms : int or None
        Number of firms (the cluster variable); None draws one firm per respondent.
    icc : float
        Share of each factor's variance that lies between firms.
    group_shifts : dict
        ``{question id: {option code: shift in SD units}}`` added to every factor mean.
    group_loadings : dict
        ``{(item id, question id, option code): loading}``: the item loads differently in that group.
    group_levels : dict
        ``{question id: [option codes]}``: draw only these answers (e.g. three of six industries).
    missing_rate : float
        Share of item answers set missing completely at random.
    straightliners : int
        Respondents who give the same answer to every item (careless responding).
    attention_fail_rate : float
        Share of respondents (other than the straight-liners) who fail each attention check.
    seconds_per_item : float
        Mean answering time per item; straight-liners answer in a quarter of it.
    """

    loading: float = 0.70
    item_loadings: dict[str, float] = field(default_factory=dict)
    within_scale_r: float = 0.50
    between_scale_r: float = 0.35
    skew: float = 0.4
    n_firms: int | None = None
    icc: float = 0.15
    group_shifts: dict[str, dict[int, float]] = field(default_factory=dict)
    group_loadings: dict[tuple[str, str, int], float] = field(default_factory=dict)
    group_levels: dict[str, list[int]] = field(default_factory=dict)
    missing_rate: float = 0.0
    straightliners: int = 0
    attention_fail_rate: float = 0.0
    seconds_per_item: float = 6.0


def _factor_correlation(instrument: Instrument, model: PopulationModel) -> np.ndarray:
    dims = instrument.dimensions()
    k = len(dims)
    r = np.full((k, k), model.between_scale_r)
    for i, (bi, _) in enumerate(dims):
        for j, (bj, _) in enumerate(dims):
            if bi.scale.id == bj.scale.id:
                r[i, j] = model.within_scale_r
    np.fill_diagonal(r, 1.0)
    if np.linalg.eigvalsh(r).min() <= 0:
        raise UserError(
            "the factor correlations of the population model are not a valid correlation matrix",
            hint="lower within_scale_r or between_scale_r",
        )
    return r


def _thresholds(points: int, skew: float) -> np.ndarray:
    """Cut points giving a unimodal distribution over ``points`` categories, shifted by ``skew``."""
    probs = stats.binom.pmf(np.arange(points), points - 1, 0.5)
    probs = 0.5 * probs + 0.5 / points  # flatter than binomial: all categories used
    return stats.norm.ppf(np.cumsum(probs)[:-1]) - skew


def _draw_background(
    instrument: Instrument, n: int, firm: np.ndarray, rng, levels: dict[str, list[int]]
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    # firm-level questions (industry, size, country, B2B) are constant within a firm
    firm_level = {"industry", "firm_size", "country", "b2b_b2c", "value_chain_tier", "crm_maturity"}
    n_firms = int(firm.max()) + 1
    for q in instrument.background:
        if q.role == "cluster":
            out[q.id] = firm + 1
            continue
        if q.role == "respondent_id":
            out[q.id] = np.arange(1, n + 1)
            continue
        if q.type == "single":
            codes = np.array(levels.get(q.id) or [o.code for o in q.options])
            if q.kind in firm_level:
                out[q.id] = codes[rng.integers(0, codes.size, n_firms)][firm]
            else:
                out[q.id] = codes[rng.integers(0, codes.size, n)]
        elif q.type == "multiple":
            for o in q.options:
                out[f"{q.id}_{o.code}"] = (rng.random(n) < 0.4).astype(int)
        elif q.type == "number":
            lo = q.minimum if q.minimum is not None else 0
            hi = q.maximum if q.maximum is not None else lo + 50
            out[q.id] = np.round(rng.uniform(lo, hi, n))
        else:
            out[q.id] = np.array([""] * n, dtype=object)
    return out


def simulate_responses(
    instrument: Instrument,
    n: int,
    seed: int = 1,
    model: PopulationModel | None = None,
) -> pd.DataFrame:
    """Draw ``n`` respondents' answers to ``instrument`` from ``model``.

    Returns one row per respondent with the columns of the study's codebook: ``respondent_id``,
    ``lang``, ``started``, ``submitted``, ``duration_s``, the background questions, the items (codes
    of the response scale; reverse-keyed items answered in reverse), the attention checks and, for
    randomised blocks, the order shown.

    Examples
    --------
    >>> import moscale as ms
    >>> df = simulate_responses(ms.load_instrument("mktor"), n=50, seed=3)
    >>> df.shape[0]
    50
    """
    if n < 1:
        raise UserError("the number of respondents must be at least 1", hint="use -n 100 or more")
    model = model or PopulationModel()
    rng = np.random.default_rng(seed)
    n_firms = model.n_firms or n
    # every firm gets at least one respondent when possible, the rest spread at random
    firm = np.concatenate(
        [np.arange(min(n, n_firms)), rng.integers(0, n_firms, max(0, n - n_firms))]
    )
    rng.shuffle(firm)
    background = _draw_background(instrument, n, firm, rng, model.group_levels)

    dims = instrument.dimensions()
    corr = _factor_correlation(instrument, model)
    chol = np.linalg.cholesky(corr)
    between = rng.standard_normal((n_firms, len(dims))) @ chol.T
    within = rng.standard_normal((n, len(dims))) @ chol.T
    eta = np.sqrt(model.icc) * between[firm] + np.sqrt(1 - model.icc) * within
    for qid, shifts in model.group_shifts.items():
        codes = background[qid]
        eta += np.array([shifts.get(int(c), 0.0) for c in codes])[:, None]

    data: dict[str, np.ndarray] = {}
    for d, (block, dim) in enumerate(dims):
        resp = block.response
        tau = _thresholds(resp.points, model.skew)
        for item in dim.items:
            lam = np.full(n, model.item_loadings.get(item.id, model.loading))
            for (item_id, qid, code), value in model.group_loadings.items():
                if item_id == item.id:
                    lam[background[qid] == code] = value
            ystar = lam * eta[:, d] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
            if item.reverse:
                ystar = -ystar
            data[item.id] = resp.start + np.searchsorted(tau, ystar)
    items = [i.id for i in instrument.items()]
    x = np.column_stack([data[i] for i in items]).astype(float)
    straight = rng.choice(n, size=min(model.straightliners, n), replace=False)
    straight_value = rng.choice(instrument.items()[0].response.codes, size=straight.size)
    x[straight, :] = straight_value[:, None]
    if model.missing_rate > 0:
        mask = rng.random(x.shape) < model.missing_rate
        mask[straight, :] = False
        x[mask] = np.nan

    frame = pd.DataFrame(x, columns=items).astype("Int64")  # codes stay integers, missing stays NA
    frame.insert(0, "respondent_id", [f"r{i + 1:05d}" for i in range(n)])
    frame.insert(1, "lang", instrument.languages[0])
    start = pd.Timestamp("2026-03-02T09:00:00Z") + pd.to_timedelta(
        rng.uniform(0, 20 * 86400, n), "s"
    )
    # answering speed varies between respondents, but careful ones rarely go below 2 s an item
    per_item = rng.gamma(12.0, model.seconds_per_item / 12.0, n) * len(items)
    per_item[straight] *= 0.25
    frame.insert(2, "started", start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    frame.insert(
        3, "submitted", (start + pd.to_timedelta(per_item, "s")).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    frame.insert(4, "duration_s", np.round(per_item).astype(int))
    for block, check in instrument.attention_checks():
        fail = rng.random(n) < model.attention_fail_rate
        wrong = np.array([c for c in block.response.codes if c != check.expect])
        answer = np.where(fail, rng.choice(wrong, n), check.expect)
        answer[straight] = straight_value  # a straight-liner gives the same answer here too
        frame[check.id] = answer
    for block in instrument.blocks:
        if block.randomize:
            frame[block.order_variable] = [
                ";".join(x.id for x in block.shuffled(int(s))) for s in rng.integers(0, 2**31, n)
            ]
    for name, values in background.items():
        frame[name] = values
    return _codebook_order(frame, instrument)


def _codebook_order(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Columns in the codebook's canonical order; the study's own id question replaces ours."""
    from moscale.instrument.codebook import column_names

    own_id = instrument.question_with_role("respondent_id")
    if own_id is not None:
        frame = frame.drop(columns="respondent_id")
    return frame[[c for c in column_names(instrument) if c in frame.columns]]


def load_population(path: str | Path | None = None, **overrides: Any) -> PopulationModel:
    """A :class:`PopulationModel` from a YAML file of its fields (and keyword overrides).

    ``group_loadings`` is written as a list of ``{item, group, code, loading}`` mappings in YAML,
    because mapping keys cannot be tuples there::

        n_firms: 120
        missing_rate: 0.03
        item_loadings: {mktor_cp3: 0.25}
        group_shifts: {industry: {2: 0.3}}
        group_loadings:
          - {item: ccrm_a1, group: industry, code: 3, loading: 0.30}
    """
    import yaml

    fields = dict(PopulationModel.__dataclass_fields__)
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise UserError("file not found", location=str(path), hint="check the path") from None
        except yaml.YAMLError as exc:
            raise UserError(f"not valid YAML: {exc}", location=str(path)) from None
        if not isinstance(loaded, dict):
            raise UserError("expected a mapping of population-model fields", location=str(path))
        unknown = sorted(set(loaded) - set(fields))
        if unknown:
            raise UserError(
                f"unknown field(s): {', '.join(unknown)}",
                location=str(path),
                hint=f"fields are: {', '.join(fields)}",
            )
        data.update(loaded)
    data.update(overrides)
    if "group_loadings" in data and isinstance(data["group_loadings"], list):
        try:
            data["group_loadings"] = {
                (str(g["item"]), str(g["group"]), int(g["code"])): float(g["loading"])
                for g in data["group_loadings"]
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(
                f"group_loadings entries need item, group, code and loading ({exc})",
                location=str(path),
            ) from None
    try:
        return PopulationModel(**data)
    except TypeError as exc:  # pragma: no cover - unknown fields were caught above
        raise UserError(str(exc), location=str(path)) from None
