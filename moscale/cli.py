"""The ``moscale`` command line: parsing, progress, messages and exit codes. No statistics here.

Exit codes: 0 success, 2 a user error (bad input: the message says where and what to do),
1 an unexpected internal error (a bug: please report it with the traceback shown by --debug).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from moscale._version import __version__
from moscale.errors import UserError
from moscale.files import write_outputs

# moscale's matrices are small (items x items): one BLAS thread is several times faster than
# threads contending for two cores. Set before numpy is imported (nothing above imports it); the user's setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay whole
out_console = Console(highlight=False, soft_wrap=False)


class _Group(click.Group):
    """Turns :class:`UserError` into a clear message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            if ctx.params.get("debug"):
                raise
            err_console.print(f"[bold red]error:[/] {exc.render()}", markup=True, highlight=False)
            sys.exit(exc.exit_code)


EPILOG = """\b
Examples:
  moscale scales
  moscale show mktor --lang fi
  moscale init study.yaml --scales mktor,ccrm --lang en,fi
  moscale render study.yaml --format html --lang fi -o questionnaire.html
  moscale simulate study.yaml -n 400 --seed 7 -o rehearsal.csv
  moscale analyze responses.csv --instrument study.yaml --group industry -o report.html
  moscale demo -o out
"""


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="moscale")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def main(debug: bool) -> None:
    """Market-orientation and CRM survey scales: questionnaires and psychometric reports."""


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


@main.command(epilog="\b\nExample:\n  moscale scales")
def scales() -> None:
    """List the built-in scale library."""
    from moscale.instrument import builtin_scales

    table = Table(title="moscale scale library", show_lines=False)
    for col in ("id", "name", "dimensions", "items", "points", "languages", "model", "citation"):
        table.add_column(col, overflow="fold")
    for s in builtin_scales():
        n_items = sum(len(d.items) for d in s.dimensions)
        cite = s.citations[0].text.split(")")[0] + ")" if s.citations else ""
        table.add_row(
            s.id,
            s.name.get("en", next(iter(s.name.values()))),
            str(len(s.dimensions)),
            str(n_items),
            str(s.response.points),
            ",".join(s.languages),
            s.model,
            cite,
        )
    out_console.print(table)


@main.command(epilog="\b\nExamples:\n  moscale show mktor\n  moscale show ccrm --lang fi")
@click.argument("scale_id")
@click.option("--lang", default="en", show_default=True, help="Language of the item texts.")
def show(scale_id: str, lang: str) -> None:
    """Describe one scale in full: source, definition, response format, dimensions and items."""
    from moscale.instrument import load_scale
    from moscale.instrument.describe import describe_scale

    scale = load_scale(scale_id)
    if lang not in scale.languages:
        raise UserError(
            f"scale '{scale.id}' has no '{lang}' version",
            hint=f"use --lang with one of: {', '.join(scale.languages)}",
        )
    out_console.print(describe_scale(scale, lang), markup=False)


@main.command(
    epilog="\b\nExample:\n  moscale init study.yaml --scales mktor,ccrm --lang en,fi",
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scales", "scale_ids", required=True, help="Comma-separated scale ids or paths.")
@click.option(
    "--lang", "langs", default="en,fi", show_default=True, help="Comma-separated languages."
)
@click.option("--title", default=None, help="Study title (English); edit the file for others.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, scale_ids: str, langs: str, title: str | None, force: bool) -> None:
    """Write a complete, commented study file to start from."""
    from moscale.instrument.init import study_template
    from moscale.instrument.loader import parse_study_text

    if path.exists() and not force:
        raise UserError(f"{path} exists already", hint="choose another name or add --force")
    text = study_template(_split(scale_ids), _split(langs), title=title, base=path.parent)
    parse_study_text(text, str(path), base=path.parent)  # what we write must load
    write_outputs({path: text})
    err_console.print(f"wrote {path}; edit it, then: moscale render {path} --format html")


FORMATS = ("html", "codebook", "limesurvey", "qualtrics", "xlsform", "redcap")


@main.command(
    epilog="""\b
Examples:
  moscale render study.yaml --format html --lang fi -o questionnaire.html
  moscale render study.yaml --format limesurvey -o exports/
  moscale render mktor --format codebook -o codebook/
""",
)
@click.argument("study")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option("--lang", default=None, help="Language (html); default: the study's first language.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (single-file formats) or folder. Default: the current folder.",
)
def render(study: str, fmt: str, lang: str | None, output: Path | None) -> None:
    """Render a study (file, built-in study or scale id) as a questionnaire or platform export."""
    from moscale.instrument import load_instrument
    from moscale.instrument.render import render_files

    inst = load_instrument(study)
    files = render_files(inst, fmt, lang)
    targets = _targets(files, output)
    inputs = [inst.source] if inst.source else []
    for p in write_outputs(targets, inputs=inputs):
        err_console.print(f"wrote {p}")


def _targets(files: dict[str, bytes | str], output: Path | None) -> dict[Path, bytes | str]:
    """One file and ``-o`` with a suffix: that path. Otherwise ``-o`` is a folder."""
    if output is not None and len(files) == 1 and output.suffix and not output.is_dir():
        return {output: next(iter(files.values()))}
    folder = output or Path(".")
    return {folder / name: content for name, content in files.items()}


@main.command(
    epilog="""\b
Examples:
  moscale simulate example -n 400 --seed 7 -o rehearsal.csv
  moscale simulate study.yaml -n 250 --firms 80 --missing 0.03 --straightliners 5 -o sim.csv
  moscale simulate example -n 400 --population population.yaml -o planted.csv
""",
)
@click.argument("study")
@click.option("-n", "n", type=click.IntRange(min=1), default=300, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--loading", type=click.FloatRange(0.05, 0.95), default=None, help="Item loading [0.70]."
)
@click.option("--firms", type=click.IntRange(min=1), default=None, help="Number of firms.")
@click.option(
    "--missing", type=click.FloatRange(0, 0.5), default=None, help="Share of answers missing [0]."
)
@click.option(
    "--straightliners", type=click.IntRange(min=0), default=None, help="Straight-liners [0]."
)
@click.option(
    "--population",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML file of population-model fields (docs/simulation.md); the options above win.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file.",
)
def simulate(
    study: str,
    n: int,
    seed: int,
    loading: float | None,
    firms: int | None,
    missing: float | None,
    straightliners: int | None,
    population: Path | None,
    output: Path,
) -> None:
    """Simulate responses to a study from a documented population model (see docs/simulation.md)."""
    from moscale.analysis.simulate import load_population, simulate_responses
    from moscale.instrument import load_instrument

    inst = load_instrument(study)
    given = {
        "loading": loading,
        "n_firms": firms,
        "missing_rate": missing,
        "straightliners": straightliners,
    }
    model = load_population(population, **{k: v for k, v in given.items() if v is not None})
    frame = simulate_responses(inst, n, seed=seed, model=model)
    inputs = [inst.source] if inst.source else []
    inputs += [population] if population else []
    write_outputs({output: frame.to_csv(index=False)}, inputs=inputs)
    err_console.print(f"wrote {output} ({n} respondents, seed {seed})")


ANALYZE_EPILOG = """\b
Examples:
  moscale analyze responses.csv --instrument study.yaml --group industry -o report.html --json results.json
  moscale analyze data.sav --model model.lav --ordinal yes --lang fi -o raportti.html
  moscale analyze bfi.csv --model bfi.lav --group gender --estimator WLSMV --bootstrap 2000

\b
On Linux with two or more cores the model fits of later sections run in a worker
process beside the rest (same figures); MOSCALE_WORKERS=1 keeps one process.
"""


@main.command(epilog=ANALYZE_EPILOG)
@click.argument("data", type=click.Path(exists=False, path_type=Path))
@click.option("--instrument", "study", default=None, help="Study file, built-in study or scale id.")
@click.option(
    "--model", default=None, help="lavaan model syntax file (.lav) or text, without a study."
)
@click.option("--items", default=None, help="Comma-separated item columns (no study, no model).")
@click.option("--group", "groups", multiple=True, help="Group column (repeat for several).")
@click.option("--cluster", default=None, help="Firm id column (several respondents per firm).")
@click.option(
    "--ordinal", type=click.Choice(["auto", "yes", "no"]), default="auto", show_default=True
)
@click.option(
    "--estimator",
    type=click.Choice(["ML", "MLR", "WLSMV", "ULSMV", "DWLS"], case_sensitive=False),
    default=None,
    help="CFA estimator. Default: MLR for continuous, WLSMV for ordinal treatment.",
)
@click.option(
    "--missing",
    type=click.Choice(["auto", "listwise", "fiml"]),
    default="auto",
    show_default=True,
    help="Missing answers in the CFA: auto = FIML for continuous, listwise for ordinal treatment.",
)
@click.option(
    "--exclude-careless",
    default=None,
    help="Comma-separated screening rules whose flagged respondents are excluded "
    "(longstring, irv, mahad, evenodd, psychsyn, psychant, attention, speeding, or any).",
)
@click.option("--bootstrap", type=click.IntRange(min=0), default=2000, show_default=True)
@click.option("--seed", type=int, default=20240601, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML report. Default: report.html unless --json or --scores is given.",
)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--scores",
    "scores_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV of respondents' dimension scores.",
)
@click.option("--lang", type=click.Choice(["en", "fi"]), default="en", show_default=True)
@click.option("--quiet", is_flag=True, help="No progress output.")
def analyze(
    data: Path,
    study: str | None,
    model: str | None,
    items: str | None,
    groups: tuple[str, ...],
    cluster: str | None,
    ordinal: str,
    estimator: str | None,
    missing: str,
    exclude_careless: str | None,
    bootstrap: int,
    seed: int,
    output: Path | None,
    json_out: Path | None,
    scores_out: Path | None,
    lang: str,
    quiet: bool,
) -> None:
    """Analyse responses: screening, items, reliability, EFA, CFA, validity, invariance, groups."""
    from moscale.analysis.pipeline import AnalysisOptions
    from moscale.analysis.pipeline import analyze as run_analysis

    if not data.exists():
        raise UserError(
            "file not found", location=str(data), hint="check the path of the data file"
        )
    if study is None and model is None and items is None:
        raise UserError(
            "moscale needs to know which columns are items",
            hint="give --instrument study.yaml, or --model model.lav, or --items a,b,c",
        )
    if output is None and json_out is None and scores_out is None:
        output = Path("report.html")
    exclude = tuple(_split(exclude_careless))
    options = AnalysisOptions(
        ordinal=ordinal,
        estimator=estimator.upper() if estimator else None,
        missing=missing,
        exclude_careless=exclude,
        bootstrap=bootstrap,
        seed=seed,
        lang=lang,
        groups=groups,
        cluster=cluster,
    )
    command = "moscale " + " ".join(_quote(a) for a in sys.argv[1:])
    with _progress(quiet) as step:
        report = run_analysis(
            data,
            instrument=study,
            model=model,
            items=_split(items) or None,
            options=options,
            progress=step,
            command=command,
        )
    files: dict[Path, bytes | str] = {}
    if output is not None:
        files[output] = report.to_html()
    if json_out is not None:
        files[json_out] = report.to_json()
    if scores_out is not None:
        files[scores_out] = report.frames["scores"].to_csv()
    inputs = [data] + ([Path(study)] if study and Path(study).exists() else [])
    inputs += [Path(model)] if model and Path(model).exists() else []
    written = write_outputs(files, inputs=inputs)
    if quiet:
        return
    for p in written:
        err_console.print(f"wrote {p}")
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", markup=True, highlight=False)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


class _progress:  # noqa: N801 - used like a function: ``with _progress(quiet) as step``
    """A spinner with the current step on stderr (nothing with --quiet or when not a terminal)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self._status = None

    def __enter__(self):
        if self.quiet:
            return lambda step: None
        self._status = err_console.status("starting…")
        self._status.__enter__()
        done: list[str] = []

        def step(name: str) -> None:
            # "HTMT bootstrap 250/2000" and its successors are one step shown as it advances
            key = re.sub(r"\s*\d+\s*/\s*\d+\s*$", "", name)
            if done and done[-1] != key:
                err_console.print(f"[green]✓[/] {done[-1]}", markup=True, highlight=False)
            if not done or done[-1] != key:
                done.append(key)
            self._status.update(f"{name}…")

        self._step = step
        self._done = done
        return step

    def __exit__(self, *exc):
        if self._status is not None:
            self._status.__exit__(*exc)
            if exc[0] is None and self._done:
                err_console.print(f"[green]✓[/] {self._done[-1]}", markup=True, highlight=False)
        return False


@main.command(epilog="\b\nExample:\n  moscale demo -o out")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("moscale-demo"),
    show_default=True,
    help="Folder to write into.",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
def demo(output: Path, quiet: bool) -> None:
    """Run the whole journey on the bundled example: questionnaire, responses, report.

    Writes the example study's questionnaire (English and Finnish) and codebook, the bundled
    simulated responses (400 respondents in 120 firms; docs/simulation.md says what was planted),
    and the report of `moscale analyze` on them (HTML and JSON).
    """
    from importlib import resources

    from moscale.analysis.pipeline import AnalysisOptions
    from moscale.analysis.pipeline import analyze as run_analysis
    from moscale.instrument import load_instrument
    from moscale.instrument.render import render_files

    inst = load_instrument("example")
    files: dict[str, bytes | str] = {}
    for lang in inst.languages:
        files.update(render_files(inst, "html", lang))
    files.update(render_files(inst, "codebook", None))
    data_dir = resources.files("moscale.analysis") / "data"
    responses = (data_dir / "demo_responses.csv").read_bytes()
    files["responses.csv"] = responses
    files["population.yaml"] = (data_dir / "demo_population.yaml").read_bytes()
    options = AnalysisOptions(groups=("industry",), cluster="firm_id")
    command = (
        "moscale analyze responses.csv --instrument example --group industry --cluster firm_id "
        "-o report.html --json results.json"
    )
    with resources.as_file(data_dir / "demo_responses.csv") as path, _progress(quiet) as step:
        report = run_analysis(
            path, instrument=inst, options=options, progress=step, command=command
        )
    files["report.html"] = report.to_html()
    files["results.json"] = report.to_json()
    written = write_outputs({output / n: c for n, c in files.items()})
    if quiet:
        return
    for p in written:
        err_console.print(f"wrote {p}")
    err_console.print(f"open {output / 'report.html'} in a browser to read the report")


if __name__ == "__main__":  # pragma: no cover
    main()
