"""Set-up shared by the report-section tests (test_section_*.py).

Every context comes from :func:`moscale.analysis.pipeline.build_context`, so each section is
tested on the state ``analyze`` really hands it (screened data, ``missing="auto"`` resolved, the
scores computed), not on a copy of part of the pipeline that could drift from it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

import moscale as ms
from moscale.analysis import pipeline
from moscale.analysis.pipeline import Context
from moscale.analysis.simulate import PopulationModel, simulate_responses

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
REFERENCE = ROOT / "tests" / "reference"
#: the bundled demo file (400 respondents of the example study in 120 firms)
DEMO = ROOT / "analysis" / "data" / "demo_responses.csv"
#: psych::bfi's five-factor model; the reverse-keyed items keep their raw coding
BFI_MODEL = (DATA / "bfi_five.lav").read_text()
#: an item name or label written as markup: the report must show it as text
EVIL = "<script>alert(1)</script>"


def load_reference(name: str) -> Any:
    """The stored R results ``tests/reference/<name>`` (written by the R script beside it)."""
    return json.loads((REFERENCE / name).read_text())


@cache
def _bfi_csv() -> pd.DataFrame:
    return pd.read_csv(DATA / "bfi.csv")


def load_bfi() -> pd.DataFrame:
    """psych::bfi (2,800 respondents, items A1-O5 on 1-6, gender, education, age): a copy of its
    own for each caller, so that no test module can change another's data."""
    return _bfi_csv().copy()


def example_responses(n: int, seed: int, **population: Any) -> pd.DataFrame:
    """``n`` answers to the bundled example study (35 items in 7 dimensions) simulated from
    ``PopulationModel(**population)``."""
    model = PopulationModel(**population)
    return simulate_responses(ms.load_instrument("example"), n, seed=seed, model=model)


def demo_design_responses() -> pd.DataFrame:
    """The demo file's design, simulated afresh: 400 respondents in 120 firms, three industries;
    ccrm_a1 loads .30 in industry 2 (business services) and .70 elsewhere."""
    return example_responses(
        400,
        5,
        n_firms=120,
        missing_rate=0.02,
        group_levels={"industry": [1, 2, 3]},
        group_loadings={("ccrm_a1", "industry", 2): 0.30},
    )


def context(
    data: Any,
    instrument: Any = None,
    model: str | None = None,
    *,
    keep: Iterable[str] | None = None,
    **options: Any,
) -> Context:
    """The Context the pipeline hands the sections (no section run). With ``keep``, only those
    dimensions and their measurement model: the invariance ladders and CFAs of the later sections
    then fit two small models instead of seven."""
    ctx = pipeline.build_context(data, instrument, model, **options)
    if keep is None:
        return ctx
    keep = set(keep)
    dims = {k: v for k, v in ctx.dimensions.items() if k in keep}
    reflective = {k: v for k, v in ctx.reflective.items() if k in keep}
    return dataclasses.replace(
        ctx,
        dimensions=dims,
        reflective=reflective,
        model=pipeline.model_from_dimensions(reflective) or None,
    )


def example_section(build: Callable[[Context], Any], n: int, seed: int, **population: Any):
    """``(ctx, section)``: a section built from the pipeline's context of simulated answers to the
    example study (:func:`example_responses`), with 200 bootstrap resamples to keep it quick."""
    ctx = context(example_responses(n, seed, **population), "example", bootstrap=200)
    return ctx, build(ctx)


def listwise_context(data: Any, **options: Any) -> Context:
    """:func:`context` with complete cases unless ``missing`` is given. The CFA and validity
    figures are checked against lavaan and semTools fitted to the complete cases (bfi: n = 2436);
    ``missing="auto"`` would choose FIML for incomplete continuous items."""
    options.setdefault("missing", "listwise")
    return context(data, **options)


def relang(ctx: Context, lang: str) -> Context:
    """The same context in another report language, with nothing computed yet: a section built
    from it again shows its texts in ``lang``."""
    return dataclasses.replace(
        ctx,
        options=dataclasses.replace(ctx.options, lang=lang),
        labels=pipeline._labels(ctx.dimensions, ctx.instrument, lang),
        results={},
        found={},
        summary=[],
        warnings=[],
    )


def reflective_items(ctx: Context) -> pd.DataFrame:
    """The answers to the items of the reflective dimensions, in the order of the dimensions."""
    return ctx.dataset.items[[i for its in ctx.reflective.values() for i in its]]


def table(section: Any, table_id: str) -> Any:
    """The section's table with id ``table_id``."""
    return next(t for t in section.tables if t.id == table_id)


def close(actual: Any, expected: Any, rel: float, abs_: float) -> bool:
    """Within ``max(abs_, rel * |expected|)``; an expected None (R's NA) wants None or NaN."""
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return abs(actual - expected) <= max(abs_, rel * abs(expected))


def assert_close(actual, expected, what: str, rel: float = 1e-4, abs_: float = 1e-3) -> None:
    assert close(actual, expected, rel, abs_), f"{what}: {actual} vs reference {expected}"
