"""The ``moscale`` command line: parsing, progress, messages and exit codes. No statistics here.

Exit codes: 0 success, 2 a user error (bad input: the message says where and what to do),
1 an unexpected internal error (a bug: please report it with the traceback shown by --debug).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from moscale._version import __version__
from moscale.errors import UserError
from moscale.files import write_outputs

err_console = Console(stderr=True, highlight=False)
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
""",
)
@click.argument("study")
@click.option("-n", "n", type=click.IntRange(min=1), default=300, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--loading", type=click.FloatRange(0.05, 0.95), default=0.70, show_default=True)
@click.option("--firms", type=click.IntRange(min=1), default=None, help="Number of firms.")
@click.option("--missing", type=click.FloatRange(0, 0.5), default=0.0, show_default=True)
@click.option("--straightliners", type=click.IntRange(min=0), default=0, show_default=True)
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
    loading: float,
    firms: int | None,
    missing: float,
    straightliners: int,
    output: Path,
) -> None:
    """Simulate responses to a study from a documented population model (see docs/simulation.md)."""
    from moscale.analysis.simulate import PopulationModel, simulate_responses
    from moscale.instrument import load_instrument

    inst = load_instrument(study)
    model = PopulationModel(
        loading=loading, n_firms=firms, missing_rate=missing, straightliners=straightliners
    )
    frame = simulate_responses(inst, n, seed=seed, model=model)
    inputs = [inst.source] if inst.source else []
    write_outputs({output: frame.to_csv(index=False)}, inputs=inputs)
    err_console.print(f"wrote {output} ({n} respondents, seed {seed})")


@main.command(epilog="\b\nExample:\n  moscale demo -o out")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("moscale-demo"),
    show_default=True,
    help="Folder to write into.",
)
def demo(output: Path) -> None:
    """Run the bundled example: the example study's questionnaire in English and Finnish."""
    from moscale.instrument import load_instrument
    from moscale.instrument.render import render_files

    inst = load_instrument("example")
    files: dict[str, bytes | str] = {}
    for lang in inst.languages:
        files.update(render_files(inst, "html", lang))
    files.update(render_files(inst, "codebook", None))
    for p in write_outputs({output / n: c for n, c in files.items()}):
        err_console.print(f"wrote {p}")


if __name__ == "__main__":  # pragma: no cover
    main()
