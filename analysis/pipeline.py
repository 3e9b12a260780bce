"""``analyze``: from responses (and an instrument or a lavaan model) to a :class:`Report`.

The pipeline reads and screens the data once, decides the defaults a methodologist would defend
(ordinal treatment, estimator, missing data, bootstrap, seed: each stated in the report), then asks
each report section in :mod:`moscale.analysis.sections` to compute its statistics and describe them.
Sections share one :class:`Context`: what earlier sections found (the CFA, the invariance level)
is there for later ones. Statistics stay in their own modules; sections only call them and phrase
the results.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from moscale._version import __version__
from moscale.errors import UserError

from .cfa._blas import single_blas
from .parallel import Background
from .report import Report, Section

#: Report sections in order: module in moscale.analysis.sections with ``build(ctx) -> Section|None``.
SECTION_MODULES: tuple[str, ...] = (
    "quality",
    "items",
    "reliability",
    "efa",
    "cfa",
    "validity",
    "groups",
    "firm",
    "methods",
    "reproducibility",
)

DEFAULT_SEED = 20240601
DEFAULT_BOOTSTRAP = 2000


@dataclass(frozen=True)
class AnalysisOptions:
    """Every choice ``analyze`` makes; each is printed in the report's reproducibility section.

    Attributes
    ----------
    ordinal : "auto", "yes" or "no"
        ``auto`` treats the items of a dimension as ordinal when they have fewer than five response
        categories or a strongly skewed distribution (|skew| > 2 in any item; Finney & DiStefano, 2006).
    estimator : "ML", "MLR", "WLSMV" or None
        None: MLR for continuous treatment (robust to the non-normality of rating data), WLSMV for
        ordinal treatment.
    missing : "auto", "listwise" or "fiml"
        Item statistics and reliability always use the complete answers within each scale
        (listwise within scales). For the CFA, ``auto`` uses full-information ML (all available
        answers; Enders & Bandalos, 2001) with continuous treatment when answers are missing, because
        listwise deletion over every item of every scale discards respondents with one skipped item;
        with ordinal treatment (WLSMV) it is listwise.
    exclude_careless : tuple of str
        Screening rules whose flagged respondents are excluded (e.g. ``("longstring", "attention")``);
        empty: nobody is excluded, flags are reported.
    bootstrap : int
        Resamples for bootstrap confidence intervals (alpha, HTMT).
    seed : int
        Seed of every random step (bootstrap, parallel analysis).
    lang : "en" or "fi"
        Language of the report's tables and text.
    """

    ordinal: Literal["auto", "yes", "no"] = "auto"
    estimator: str | None = None
    missing: Literal["auto", "listwise", "fiml"] = "auto"
    exclude_careless: tuple[str, ...] = ()
    bootstrap: int = DEFAULT_BOOTSTRAP
    seed: int = DEFAULT_SEED
    lang: Literal["en", "fi"] = "en"
    groups: tuple[str, ...] = ()
    cluster: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    """What the sections share.

    Attributes
    ----------
    dataset : Dataset
        The data after any exclusions the user asked for.
    dataset_all : Dataset
        The data as read, before exclusions.
    dimensions : dict
        ``{dimension key: [items]}`` of every dimension analysed.
    reflective : dict
        The dimensions whose measurement model is reflective (alpha, CFA apply).
    labels : dict
        ``{dimension key: readable name}`` in the report language.
    ordinal : bool
        Whether the items are treated as ordinal (WLSMV, polychoric correlations).
    estimator : str
        CFA estimator used.
    model : str or None
        The lavaan measurement model (built from the instrument, or given).
    results : dict
        JSON results, one key per section (filled by the sections).
    found : dict
        Result objects later sections read (``"cfa"``, ``"invariance"``, ...). ``"scores"`` (a
        :class:`~moscale.analysis.scoring.Scores`) is there from the start.
    """

    dataset: Any
    dataset_all: Any
    options: AnalysisOptions
    dimensions: dict[str, list[str]]
    reflective: dict[str, list[str]]
    labels: dict[str, str]
    ordinal: bool
    ordinal_reason: str
    estimator: str
    model: str | None
    instrument: Any = None
    screening: Any = None
    results: dict[str, Any] = field(default_factory=dict)
    found: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    progress: Callable[[str], None] = lambda step: None
    command: str | None = None
    #: the options as the user gave them (``options`` has ``missing="auto"`` resolved)
    requested: AnalysisOptions | None = None
    #: group variables of the study that were not asked for (named in the summary)
    unused_groups: list[str] = field(default_factory=list)
    #: work started early and collected by the sections (runs inline unless :func:`analyze`
    #: gives it worker processes)
    background: Background = field(default_factory=lambda: Background(workers=0))

    @property
    def lang(self) -> str:
        return self.options.lang

    def warn(self, message: str) -> None:
        """A warning shown where it matters (the section adds it) and in the summary."""
        if message not in self.warnings:
            self.warnings.append(message)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def model_from_dimensions(dimensions: dict[str, list[str]]) -> str:
    """lavaan syntax with one factor per dimension (factor names made syntax-safe)."""
    lines = []
    for key, items in dimensions.items():
        if len(items) < 2:
            continue
        lines.append(f"{factor_name(key)} =~ " + " + ".join(items))
    return "\n".join(lines)


def factor_name(dimension_key: str) -> str:
    """``mktor.customer_orientation`` -> ``mktor_customer_orientation`` (lavaan-safe)."""
    return dimension_key.replace(".", "_").replace("-", "_")


def decide_ordinal(items: pd.DataFrame, choice: str) -> tuple[bool, str]:
    """Whether to treat the items as ordinal, and why (in words for the report)."""
    if choice == "yes":
        return True, "ordinal treatment requested (--ordinal yes)"
    if choice == "no":
        return False, "continuous treatment requested (--ordinal no)"
    n_cat = items.nunique(dropna=True)
    skew = items.skew(numeric_only=True).abs()
    few = n_cat[n_cat < 5]
    skewed = skew[skew > 2]
    if len(few):
        return True, (
            f"{len(few)} item(s) have fewer than five response categories "
            f"(e.g. {few.index[0]}), so all items are treated as ordinal"
        )
    if len(skewed):
        return True, (
            f"{len(skewed)} item(s) are strongly skewed (|skew| > 2, e.g. {skewed.index[0]}), "
            "so all items are treated as ordinal"
        )
    return False, (
        "every item has five or more categories and no strong skew, so items are treated as "
        "continuous with a robust (MLR) estimator"
    )


def build_context(
    data: Any,
    instrument: Any = None,
    model: str | None = None,
    group: str | Sequence[str] | None = None,
    *,
    items: Sequence[str] | None = None,
    cluster: str | None = None,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
    command: str | None = None,
    **option_overrides: Any,
) -> Context:
    """Read and screen the data, decide the defaults, score: the :class:`Context` every report
    section starts from (no section is run). Parameters as :func:`analyze`.
    """
    from .responses import Dataset, read_responses
    from .screening import screen

    opts = options or AnalysisOptions()
    if group is not None:
        option_overrides.setdefault("groups", (group,) if isinstance(group, str) else tuple(group))
    if cluster is not None:
        option_overrides.setdefault("cluster", cluster)
    if option_overrides:
        unknown = set(option_overrides) - set(AnalysisOptions.__dataclass_fields__)
        if unknown:
            raise UserError(
                f"unknown option(s): {', '.join(sorted(unknown))}",
                hint=f"options are: {', '.join(AnalysisOptions.__dataclass_fields__)}",
            )
        opts = AnalysisOptions(**{**opts.to_dict(), **option_overrides})
    step = progress or (lambda s: None)

    if model is not None and Path(str(model)).suffix == ".lav" and Path(str(model)).exists():
        model = Path(str(model)).read_text(encoding="utf-8")
    step("reading responses")
    if isinstance(data, Dataset):
        dataset = data
    else:
        dataset = read_responses(
            data,
            instrument=instrument,
            items=items,
            model=model,
            groups=list(opts.groups) or None,
            cluster=opts.cluster,
        )
    if dataset.n_kept == 0:
        raise UserError("no responses left to analyse", hint="check the data file and the policy")
    # only the groups asked for: each one costs an invariance ladder per dimension
    groups = list(opts.groups)
    unused_groups = [g for g in dataset.groups if g not in groups]
    missing_groups = [g for g in groups if g not in dataset.background.columns]
    if missing_groups:
        raise UserError(
            f"group column(s) not found: {', '.join(missing_groups)}",
            hint=f"columns available: {', '.join(map(str, dataset.background.columns))}",
        )
    opts = AnalysisOptions(
        **{**opts.to_dict(), "groups": tuple(groups), "cluster": opts.cluster or dataset.cluster}
    )

    step("screening")
    rules = list(opts.exclude_careless)
    screening = screen(dataset, exclude="any" if rules == ["any"] else (rules or None))
    kept = screening.dataset if screening.dataset is not None else dataset

    inst = dataset.instrument
    dimensions = {k: v for k, v in dataset.dimensions.items() if v}
    reflective = _reflective(dimensions, inst)
    labels = _labels(dimensions, inst, opts.lang)
    ordinal, why = decide_ordinal(kept.items, opts.ordinal)
    estimator = (opts.estimator or ("WLSMV" if ordinal else "MLR")).upper()
    requested = opts
    if opts.missing == "auto":
        continuous = estimator in ("ML", "MLR")
        incomplete = bool(kept.items.isna().to_numpy().any())
        opts = AnalysisOptions(
            **{**opts.to_dict(), "missing": "fiml" if continuous and incomplete else "listwise"}
        )
    if model is None:
        model = model_from_dimensions(reflective) or None

    ctx = Context(
        dataset=kept,
        dataset_all=dataset,
        options=opts,
        dimensions=dimensions,
        reflective=reflective,
        labels=labels,
        ordinal=ordinal,
        ordinal_reason=why,
        estimator=estimator,
        model=model,
        instrument=inst,
        screening=screening,
        progress=step,
        command=command,
        requested=requested,
        unused_groups=unused_groups,
    )
    from .scoring import score

    step("scoring")
    ctx.found["scores"] = score(kept)  # dimension, scale and higher-order scores (mean of items)
    return ctx


def analyze(
    data: Any,
    instrument: Any = None,
    model: str | None = None,
    group: str | Sequence[str] | None = None,
    *,
    items: Sequence[str] | None = None,
    cluster: str | None = None,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
    command: str | None = None,
    **option_overrides: Any,
) -> Report:
    """Run the whole validation analysis and return a :class:`Report`.

    Parameters
    ----------
    data : path, DataFrame or Dataset
        The responses (any format :func:`moscale.read_responses` reads).
    instrument : Instrument, str or Path, optional
        The study the data answer (gives items, dimensions, keying, groups, cluster).
    model : str, optional
        lavaan model syntax (or a path to a ``.lav`` file) when there is no instrument.
    group : str or list of str, optional
        Group column(s) for invariance and group comparisons. Only these are compared (each costs
        an invariance ladder per dimension); the study's other group questions are named in the
        summary.
    options : AnalysisOptions, optional
        Defaults as documented there; keyword overrides (``estimator="ML"``) are accepted too.

    Examples
    --------
    >>> import moscale as ms  # doctest: +SKIP
    >>> report = ms.analyze("responses.csv", instrument="example", group="industry")  # doctest: +SKIP
    >>> report.to_html()  # doctest: +SKIP
    """
    ctx = build_context(
        data,
        instrument,
        model,
        group,
        items=items,
        cluster=cluster,
        options=options,
        progress=progress,
        command=command,
        **option_overrides,
    )
    step = ctx.progress
    opts = ctx.options
    inst = ctx.instrument
    sections: list[Section] = []
    modules = [importlib.import_module(f"moscale.analysis.sections.{n}") for n in SECTION_MODULES]
    # Sections with independent heavy work (model fits) start it now on the other cores; the
    # section collects it when its turn comes (see moscale.analysis.parallel).
    ctx.background = Background()
    # One BLAS thread (the workers inherit the setting): the analysis multiplies many small
    # matrices, for which BLAS threads cost more than they give, and two processes each
    # spinning two BLAS threads on two cores run slower than one.
    with single_blas():
        try:
            if ctx.background.parallel:
                for module in modules:
                    if hasattr(module, "prefetch"):
                        module.prefetch(ctx)
                ctx.background.start()
            for name, module in zip(SECTION_MODULES, modules, strict=True):
                step(getattr(module, "STEP", name))
                section = module.build(ctx)
                if section is not None:
                    sections.append(section)
        finally:
            ctx.background.close()
    summary = list(ctx.summary)
    if ctx.unused_groups:
        summary.append(
            {
                "en": "Group variables of the study not compared (add --group to compare): ",
                "fi": "Tutkimuksen ryhmittelymuuttujat, joita ei verrattu (lisää --group): ",
            }[opts.lang]
            + ", ".join(ctx.unused_groups)
            + "."
        )
    title = _title(inst, opts.lang)
    return Report(
        title=title,
        lang=opts.lang,
        summary=summary,
        sections=sections,
        warnings=ctx.warnings,
        meta=_meta(ctx),
        results=ctx.results,
        frames={"scores": ctx.found["scores"].scores},
    )


def _reflective(dimensions: dict[str, list[str]], inst: Any) -> dict[str, list[str]]:
    if inst is None:
        return dict(dimensions)
    out = {}
    for key, items in dimensions.items():
        block_id = key.split(".", 1)[0]
        block = next((b for b in inst.blocks if b.id == block_id), None)
        if block is None or block.scale.model == "reflective":
            out[key] = items
    return out


def _labels(dimensions: dict[str, list[str]], inst: Any, lang: str) -> dict[str, str]:
    labels = {}
    if inst is not None:
        for block, dim in inst.dimensions():
            name = dim.name.get(lang) or next(iter(dim.name.values()))
            labels[f"{block.id}.{dim.id}"] = name
    for key in dimensions:
        labels.setdefault(key, key)
    return labels


def _title(inst: Any, lang: str) -> str:
    base = {"en": "Psychometric report", "fi": "Psykometrinen raportti"}[lang]
    if inst is None:
        return base
    title = inst.study.title.get(lang) or next(iter(inst.study.title.values()))
    return f"{base}: {title}"


def _meta(ctx: Context) -> dict[str, Any]:
    import platform

    versions = {"moscale": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "pandas", "pingouin"):
        try:
            versions[pkg] = importlib.import_module(pkg).__version__
        except Exception:  # pragma: no cover - reported as unknown
            versions[pkg] = "unknown"
    ds = ctx.dataset_all
    return {
        "moscale_version": __version__,
        "versions": versions,
        "options": ctx.options.to_dict(),
        "options_requested": (ctx.requested or ctx.options).to_dict(),
        "estimator": ctx.estimator,
        "ordinal": ctx.ordinal,
        "ordinal_reason": ctx.ordinal_reason,
        "model": ctx.model,
        "input": {
            "source": str(ds.source) if ds.source else None,
            "sha256": ds.sha256,
            "n_read": ds.n_read,
            "n_analysed": ctx.dataset.n_kept,
        },
        "command": ctx.command,
    }
