"""Report section "reproducibility": how the report was made and how to make it again.

The command line, the versions of moscale and the libraries, every option of
:class:`~moscale.analysis.pipeline.AnalysisOptions` with its default explained, the input file's
SHA-256 checksum and sample size, the seed, the lavaan model syntax, and the R code that refits the
measurement model with lavaan on the same data. No statistics are computed here.

JSON: ``ctx.results["reproducibility"]`` (``docs/results/reproducibility.md``).
"""

from __future__ import annotations

import hashlib
import platform
import re
import shlex
from dataclasses import fields
from importlib import metadata
from typing import Any

import pandas as pd

from moscale._version import __version__

from ..report import Section
from ..tables import Table
from .cfa import ordinal_reason_fi
from .groups import missing_used

STEP = "reproducibility"

#: Libraries whose versions are reported (the numbers depend on them).
LIBRARIES = ("numpy", "scipy", "pandas", "pingouin", "matplotlib", "jinja2", "pyyaml", "pydantic")

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Reproducibility",
        "intro": (
            "The report can be made again from the two files it was made from: the responses and "
            "the instrument (or the lavaan model). The same command with the same versions gives "
            "the same numbers; random steps (bootstrap, parallel analysis) use the seed {seed}."
        ),
        "command": "Command: {command}",
        "command_equivalent": (
            "Equivalent command (the report was made from Python, not the command line): {command}"
        ),
        "input": (
            "Input: {source}, {n_read} rows read, {n} respondents analysed; SHA-256 checksum {sha}."
        ),
        "input_memory": (
            "Input: data passed from Python (no file), {n_read} rows read, {n} respondents "
            "analysed; SHA-256 checksum of the data as read, written as CSV: {sha}."
        ),
        "check": (
            "Check the checksum before rerunning: `sha256sum {file}` (Linux), "
            "`shasum -a 256 {file}` (macOS) or `Get-FileHash {file}` (Windows PowerShell)."
        ),
        "versions": "Versions: {versions}.",
        "how": (
            "How to reproduce: (1) check that the data file's SHA-256 checksum is the one above; "
            "(2) install the same version, pip install moscale=={version}; (3) run the command "
            "above in the folder that holds the data file and the instrument."
        ),
        "decided": (
            "Decided from the data: items treated as {treatment} ({reason}); CFA estimator "
            "{estimator}."
        ),
        "ordinal": "ordinal",
        "continuous": "continuous",
        "lavaan": (
            "To refit the measurement model in R with lavaan, run the R code in the last table: "
            "it reads the file, recodes the missing-value codes and reverses the reverse-keyed "
            "items as moscale did, and fits the same model with the same estimator ({estimator})."
        ),
        "no_model": "There is no measurement model (no reflective dimension), so there is no lavaan call.",
        "options_title": "Analysis options",
        "options_note": (
            "Value = what this report used; Default = what moscale uses when the option is not "
            "given. Every option can be set on the command line (moscale analyze --help) or as a "
            "keyword of moscale.analyze()."
        ),
        "model_title": "lavaan model syntax",
        "model_note": "The measurement model fitted in the CFA section, one statement a line.",
        "r_title": "R code: the same model in lavaan",
        "r_note": "Run in R (lavaan ≥ 0.6) from the folder that holds the data file.",
        "col_option": "Option",
        "col_value": "Value",
        "col_default": "Default",
        "col_meaning": "Meaning",
        "col_line": "Line",
        "col_code": "Code",
        "none": "none",
        "meaning": {
            "ordinal": (
                "auto: items are ordinal when they have fewer than five categories or |skew| > 2 "
                "(Finney & DiStefano, 2006); yes / no force the choice"
            ),
            "estimator": "none: MLR for continuous items, WLSMV for ordinal items",
            "missing": (
                "auto: full-information ML in the CFA and the invariance tests when answers are "
                "missing and items are continuous, else listwise; listwise: respondents with a "
                "missing answer are left out; fiml: all available answers (full-information ML); "
                "item statistics and reliability are always listwise within each scale"
            ),
            "exclude_careless": (
                "screening rules whose flagged respondents are excluded; none: flags are only "
                "reported"
            ),
            "bootstrap": "resamples for the bootstrap confidence intervals (alpha, HTMT)",
            "seed": "seed of every random step (bootstrap, parallel analysis)",
            "lang": "language of the report (en, fi)",
            "groups": (
                "group columns for invariance and comparisons; none: the instrument's questions "
                "with role group"
            ),
            "cluster": "firm id column; none: the instrument's question with role cluster",
        },
    },
    "fi": {
        "title": "Toistettavuus",
        "intro": (
            "Raportin voi tehdä uudelleen samoista kahdesta tiedostosta: vastauksista ja "
            "mittarin määrittelystä (tai lavaan-mallista). Sama komento samoilla versioilla antaa "
            "samat luvut; satunnaisuutta sisältävät vaiheet (bootstrap, rinnakkaisanalyysi) "
            "käyttävät siemenlukua {seed}."
        ),
        "command": "Komento: {command}",
        "command_equivalent": (
            "Vastaava komento (raportti tehtiin Pythonista eikä komentoriviltä): {command}"
        ),
        "input": (
            "Aineisto: {source}, luettuja rivejä {n_read}, analysoituja vastaajia {n}; "
            "SHA-256-tarkistussumma {sha}."
        ),
        "input_memory": (
            "Aineisto: Pythonista annettu (ei tiedostoa), luettuja rivejä {n_read}, analysoituja "
            "vastaajia {n}; luetun aineiston CSV-muodon SHA-256-tarkistussumma {sha}."
        ),
        "check": (
            "Tarkista tarkistussumma ennen uudelleenajoa: `sha256sum {file}` (Linux), "
            "`shasum -a 256 {file}` (macOS) tai `Get-FileHash {file}` (Windows PowerShell)."
        ),
        "versions": "Versiot: {versions}.",
        "how": (
            "Näin toistat: (1) tarkista, että aineistotiedoston SHA-256-tarkistussumma on sama kuin "
            "yllä; (2) asenna sama versio, pip install moscale=={version}; (3) aja yllä oleva "
            "komento kansiossa, jossa aineistotiedosto ja mittarin määrittely ovat."
        ),
        "decided": (
            "Aineiston perusteella päätetty: osiot käsiteltiin {treatment} ({reason}); "
            "CFA-estimaattori {estimator}."
        ),
        "ordinal": "järjestysasteikollisina",
        "continuous": "jatkuvina",
        "lavaan": (
            "Mittausmallin voi estimoida uudelleen R:n lavaan-paketilla viimeisen taulukon "
            "koodilla: se lukee tiedoston, muuntaa puuttuvan tiedon koodit ja kääntää käänteiset "
            "osiot kuten moscale sekä estimoi saman mallin samalla estimaattorilla ({estimator})."
        ),
        "no_model": (
            "Mittausmallia ei ole (ei reflektiivisiä ulottuvuuksia), joten lavaan-kutsuakaan ei ole."
        ),
        "options_title": "Analyysin asetukset",
        "options_note": (
            "Arvo = tässä raportissa käytetty; Oletus = moscalen käyttämä arvo, kun asetusta ei "
            "anneta. Kaikki asetukset voi antaa komentorivillä (moscale analyze --help) tai "
            "moscale.analyze()-funktion argumentteina."
        ),
        "model_title": "lavaan-mallin syntaksi",
        "model_note": "CFA-osiossa estimoitu mittausmalli, yksi lauseke riviä kohden.",
        "r_title": "R-koodi: sama malli lavaanilla",
        "r_note": "Aja R:ssä (lavaan ≥ 0.6) kansiossa, jossa aineistotiedosto on.",
        "col_option": "Asetus",
        "col_value": "Arvo",
        "col_default": "Oletus",
        "col_meaning": "Merkitys",
        "col_line": "Rivi",
        "col_code": "Koodi",
        "none": "ei mitään",
        "meaning": {
            "ordinal": (
                "auto: osiot ovat järjestysasteikollisia, jos niillä on alle viisi luokkaa tai "
                "|vinous| > 2 (Finney & DiStefano, 2006); yes / no pakottavat valinnan"
            ),
            "estimator": (
                "ei mitään: MLR jatkuville osioille, WLSMV järjestysasteikollisille osioille"
            ),
            "missing": (
                "auto: CFA:ssa ja invarianssitesteissä täyden informaation ML, kun vastauksia "
                "puuttuu ja osiot ovat jatkuvia, muuten listwise; listwise: vastaaja, jolta puuttuu "
                "vastaus, jätetään pois; fiml: kaikki annetut vastaukset (täyden informaation ML); "
                "osioanalyysi ja reliabiliteetti ovat aina listwise kunkin asteikon sisällä"
            ),
            "exclude_careless": (
                "seulontasäännöt, joiden liputtamat vastaajat poistetaan; ei mitään: liput vain "
                "raportoidaan"
            ),
            "bootstrap": "bootstrap-otosten määrä luottamusväleille (alfa, HTMT)",
            "seed": "kaikkien satunnaisten vaiheiden siemenluku (bootstrap, rinnakkaisanalyysi)",
            "lang": "raportin kieli (en, fi)",
            "groups": (
                "ryhmäsarakkeet invarianssiin ja vertailuihin; ei mitään: mittarin kysymykset, "
                "joiden rooli on group"
            ),
            "cluster": "yritystunnuksen sarake; ei mitään: mittarin kysymys, jonka rooli on cluster",
        },
    },
}


def versions() -> dict[str, str]:
    """moscale, Python and library versions (``unknown`` when a library is not installed)."""
    out = {"moscale": __version__, "python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "unknown"
    return out


def _option_text(value: Any, none: str) -> str:
    if value is None or value == ():
        return none
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def equivalent_command(ctx: Any) -> str:
    """The ``moscale analyze`` command that makes this report (for reports made from Python)."""
    ds = ctx.dataset_all
    # the options as given (``missing="auto"`` stays auto): rerun, the command decides the same
    opts = ctx.requested or ctx.options
    default = type(opts)()
    src = str(ds.source) if getattr(ds, "source", None) else "responses.csv"
    parts = ["moscale", "analyze", src]
    inst = ctx.instrument
    if inst is not None:
        parts += ["--instrument", _instrument_ref(inst)]
    elif ctx.model:
        parts += ["--model", "model.lav"]
    for g in opts.groups:
        parts += ["--group", g]
    if opts.cluster:
        parts += ["--cluster", opts.cluster]
    if opts.ordinal != default.ordinal:
        parts += ["--ordinal", opts.ordinal]
    if opts.estimator:
        parts += ["--estimator", opts.estimator]
    if opts.missing != default.missing:
        parts += ["--missing", opts.missing]
    if opts.exclude_careless:
        parts += ["--exclude-careless", ",".join(opts.exclude_careless)]
    if opts.bootstrap != default.bootstrap:
        parts += ["--bootstrap", str(opts.bootstrap)]
    if opts.seed != default.seed:
        parts += ["--seed", str(opts.seed)]
    if opts.lang != default.lang:
        parts += ["--lang", opts.lang]
    parts += ["-o", "report.html", "--json", "results.json"]
    return " ".join(shlex.quote(p) for p in parts)


def _instrument_ref(inst: Any) -> str:
    """A built-in study by its id, a study file by its path."""
    from pathlib import Path

    import moscale.instrument

    source = getattr(inst, "source", None)
    if source is None:
        return inst.id
    package = Path(moscale.instrument.__file__).resolve().parent
    try:
        Path(source).resolve().relative_to(package)
        return inst.id
    except ValueError:
        return str(source)


def input_checksum(ds: Any) -> tuple[str, bool]:
    """The input file's SHA-256 (as read by :func:`read_responses`), or for data passed from Python
    the SHA-256 of the raw frame written as CSV; and whether it is the file's."""
    if getattr(ds, "sha256", None):
        return str(ds.sha256), True
    raw = ds.raw if isinstance(getattr(ds, "raw", None), pd.DataFrame) else ds.items
    return hashlib.sha256(raw.to_csv(index=False).encode("utf-8")).hexdigest(), False


def _missing_codes(ctx: Any) -> list[int]:
    inst = ctx.instrument
    codes: set[int] = set()
    if inst is not None:
        for block in inst.blocks:
            dk = getattr(block.response, "dont_know", None)
            if dk is not None:
                codes.add(int(dk.code))
    return sorted(codes)


def _r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lavaan_code(ctx: Any, file: str) -> list[str]:
    """R code that reads the data as moscale did and fits ``ctx.model`` with lavaan."""
    ds = ctx.dataset
    lines = ["library(lavaan)"]
    codes = _missing_codes(ctx)
    na = ", ".join(_r_string(s) for s in ["", "NA", *map(str, codes)])
    lines.append(f"data <- read.csv({_r_string(file)}, na.strings = c({na}))")
    excluded = _excluded(ctx)
    if excluded:
        id_col, ids = excluded
        if id_col:
            vec = ", ".join(_r_string(str(i)) for i in ids)
            lines.append(f"# {len(ids)} respondent(s) excluded by the screening")
            lines.append(f"data <- data[!data[[{_r_string(id_col)}]] %in% c({vec}), ]")
        else:
            lines.append(
                f"# {len(ids)} respondent(s) were excluded by the screening (file lines "
                + ", ".join(map(str, ids))
                + "): remove them first"
            )
    for item, (lo, hi) in ds.reversed.items():
        total = lo + hi
        lines.append(f"data${item} <- {total:g} - data${item}  # reverse-keyed")
    lines.append("model <- '")
    lines.extend(f"  {m}" for m in _statements(ctx.model))
    lines.append("'")
    args = [f'estimator = "{ctx.estimator}"']
    if ctx.ordinal:
        items = sorted({i for items in ctx.reflective.values() for i in items})
        args.append("ordered = c(" + ", ".join(_r_string(i) for i in items) + ")")
    elif missing_used(ctx) == "fiml":
        args.append('missing = "fiml"')
    lines.append(f"fit <- cfa(model, data = data, {', '.join(args)})")
    lines.append("summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE)")
    found = ctx.found.get("groups") or {}
    for g in ctx.options.groups:
        info = found.get(g) or {}
        units = info.get("invariance") or {}
        labels = ", ".join(_r_string(c) for c in info.get("groups", []))
        sel = f", group.label = c({labels})" if labels else ""
        if not units:
            lines.append(f"# measurement invariance across {g} (configural, metric, scalar)")
            lines.append(
                f"fit_{_r_name(g)} <- cfa(model, data = data, {', '.join(args)}, group = "
                f'{_r_string(g)}{sel}, group.equal = c("loadings", "intercepts"), std.lv = TRUE)'
            )
            continue
        lines.append(
            f"# across {g}: the (partial) scalar model of each invariance test in the groups "
            "section; drop group.partial for the full model"
        )
        for name, res in units.items():
            partial = [p for p in res.released if "=~" in p or p.replace(" ", "").endswith("~1")]
            rel = ", ".join(_r_string(p) for p in partial)
            syntax = "; ".join(_statements(res.model))
            tag = _r_name(f"{g}_{name}")
            lines.append(f"m_{tag} <- {_r_string(syntax).replace(chr(34), chr(39))}")
            lines.append(
                f"fit_{tag} <- cfa(m_{tag}, data = data, {', '.join(args)}, group = "
                f'{_r_string(g)}{sel}, group.equal = c("loadings", "intercepts")'
                + (f", group.partial = c({rel})" if rel else "")
                + ", std.lv = TRUE)"
            )
    return lines


def _statements(model: str | None) -> list[str]:
    """The model's lines without lavaan comments (``#`` or ``!`` to the end of the line): in the
    one-line form a comment would swallow every statement after it, and an apostrophe in a
    comment would end the R string."""
    out = []
    for line in (model or "").splitlines():
        stmt = re.split(r"[#!]", line, maxsplit=1)[0].strip()
        if stmt:
            out.append(stmt)
    return out


def _r_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _excluded(ctx: Any) -> tuple[str | None, list] | None:
    """Respondents read but not analysed: (id column, ids) or (None, file rows)."""
    before = ctx.dataset_all.items.index
    after = set(ctx.dataset.items.index)  # built once: a set per row is quadratic on big data
    gone = [i for i in before if i not in after]
    if not gone:
        return None
    id_col = getattr(ctx.dataset_all, "respondent_id", None)
    bg = ctx.dataset_all.background
    if id_col and id_col in bg.columns:
        return id_col, [bg.loc[i, id_col] for i in gone]
    return None, gone


def build(ctx: Any) -> Section:
    t = TEXT[ctx.lang]
    section = Section(id="reproducibility", title=t["title"])
    opts = ctx.options
    ds_all = ctx.dataset_all
    default = type(opts)()
    section.paragraphs.append(t["intro"].format(seed=opts.seed))

    command = ctx.command or equivalent_command(ctx)
    section.paragraphs.append(
        (t["command"] if ctx.command else t["command_equivalent"]).format(command=command)
    )
    sha, from_file = input_checksum(ds_all)
    n_read = int(getattr(ds_all, "n_read", len(ds_all.items)))
    n = int(ctx.dataset.n_kept)
    source = str(ds_all.source) if getattr(ds_all, "source", None) else None
    if from_file:
        section.paragraphs.append(
            t["input"].format(source=source or "file", n_read=n_read, n=n, sha=sha)
        )
        file = (source or "responses.csv").replace("\\", "/").rsplit("/", 1)[-1]
        section.paragraphs.append(t["check"].format(file=shlex.quote(file)))
    else:
        section.paragraphs.append(t["input_memory"].format(n_read=n_read, n=n, sha=sha))
    vers = versions()
    section.paragraphs.append(
        t["versions"].format(versions=", ".join(f"{k} {v}" for k, v in vers.items()))
    )
    section.paragraphs.append(t["how"].format(version=__version__, seed=opts.seed))
    section.paragraphs.append(
        t["decided"].format(
            treatment=t["ordinal"] if ctx.ordinal else t["continuous"],
            reason=ctx.ordinal_reason
            if ctx.lang == "en"
            else ordinal_reason_fi(ctx.ordinal_reason),
            estimator=ctx.estimator,
        )
    )

    # options table
    rows = []
    for f in fields(opts):
        rows.append(
            {
                t["col_option"]: f.name,
                t["col_value"]: _option_text(getattr(opts, f.name), t["none"]),
                t["col_default"]: _option_text(getattr(default, f.name), t["none"]),
                t["col_meaning"]: t["meaning"].get(f.name, ""),
            }
        )
    section.tables.append(
        Table(
            id="reproducibility_options",
            title=t["options_title"],
            frame=pd.DataFrame(rows),
            kinds={c: "text" for c in rows[0]},
            note=t["options_note"],
        )
    )

    r_code: list[str] = []
    if ctx.model:
        model_lines = [m.strip() for m in ctx.model.strip().splitlines() if m.strip()]
        section.tables.append(
            Table(
                id="reproducibility_model",
                title=t["model_title"],
                frame=pd.DataFrame({"lavaan": model_lines}),
                kinds={"lavaan": "text"},
                note=t["model_note"],
            )
        )
        file = (source or "responses.csv").replace("\\", "/").rsplit("/", 1)[-1]
        r_code = lavaan_code(ctx, file)
        section.paragraphs.append(t["lavaan"].format(estimator=ctx.estimator))
        section.tables.append(
            Table(
                id="reproducibility_r_code",
                title=t["r_title"],
                frame=pd.DataFrame({"R": r_code}),
                kinds={"R": "text"},
                note=t["r_note"],
            )
        )
    else:
        section.paragraphs.append(t["no_model"])

    ctx.results["reproducibility"] = {
        "command": command,
        "command_given": ctx.command is not None,
        "moscale_version": __version__,
        "versions": vers,
        "options": opts.to_dict(),
        "defaults": default.to_dict(),
        "decided": {
            "ordinal": bool(ctx.ordinal),
            "ordinal_reason": ctx.ordinal_reason,
            "estimator": ctx.estimator,
        },
        "input": {
            "source": source,
            "sha256": sha,
            "sha256_of": "file" if from_file else "data as CSV",
            "n_read": n_read,
            "n_analysed": n,
        },
        "seed": opts.seed,
        "model": ctx.model,
        "lavaan_r_code": r_code,
    }
    return section
