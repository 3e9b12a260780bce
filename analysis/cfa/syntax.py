"""Parse lavaan model syntax into a flat list of statements.

The subset understood here is what confirmatory factor analysis needs:

* ``F =~ x1 + x2 + x3``  -- measurement (factor loadings); ``g =~ F1 + F2`` gives a second-order factor;
* ``x1 ~~ x2``           -- (residual) variances and covariances;
* ``x1 ~ 1``             -- intercepts (means);
* ``a == b``             -- equality of two labelled parameters;
* modifiers before a variable, joined by ``*``: a fixed value (``1*x1``, ``-0.5*x2``), ``NA`` (free),
  a label (``a*x1``), ``start(.5)``, ``equal("a")``, ``label("a")`` and ``c(...)`` with one entry per
  group (``c(a1, a2)*x1``, ``c(1, NA)*x1``);
* ``#`` and ``!`` comments, statements on several lines, ``;`` separators.

The grammar follows lavaan's documented model syntax (Rosseel, 2012, *Journal of Statistical
Software* 48(2)); the parser itself is written from that description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from moscale.errors import ModelError

__all__ = ["Modifier", "ParsedModel", "Statement", "parse_model"]

# Operators, longest first so that "=~" wins over "~" and "~~" over "~".
_OPERATORS = ("=~", "~~", "==", ":=", "<~", "~*~", "~", "|", "<", ">")
_CONTINUES = {"+", "*", "(", ",", *_OPERATORS}
_SUPPORTED = {"=~", "~~", "~", "=="}
_UNSUPPORTED_HINT = {
    ":=": "defined parameters (:=) are not supported in a CFA; compute them from the estimates",
    "<~": "formative indicators (<~) are not supported; model the construct reflectively with =~",
    "~*~": "scaling factors (~*~) belong to ordinal models, which arrive with WLSMV",
    "|": "thresholds (|) belong to ordinal models, which arrive with WLSMV",
    "<": "inequality constraints are not supported",
    ">": "inequality constraints are not supported",
}

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<name>[A-Za-z_.][A-Za-z0-9_.]*)
  | (?P<op>=~|~~|==|:=|<~|~\*~|~|\||<|>)
  | (?P<punct>[*+(),?-])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Modifier:
    """What precedes a variable in a term, e.g. ``0.5*`` or ``a*`` or ``c(1, NA)*``.

    Each attribute is a tuple with one entry per group (length 1 applies to every group);
    ``fixed`` holds a float, or ``None`` for "free" (``NA``); ``label`` a string or ``None``.
    """

    fixed: tuple[float | None, ...] | None = None
    label: tuple[str | None, ...] | None = None
    start: tuple[float | None, ...] | None = None


@dataclass(frozen=True)
class Statement:
    """One ``lhs op rhs`` relation, with its modifier and the source position (1-based)."""

    lhs: str
    op: str
    rhs: str
    modifier: Modifier = field(default_factory=Modifier)
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class ParsedModel:
    """The statements of a model, in the order written."""

    statements: tuple[Statement, ...]
    text: str

    @property
    def latent_names(self) -> list[str]:
        """Latent variables: every left-hand side of ``=~``, in order of first appearance."""
        out: list[str] = []
        for s in self.statements:
            if s.op == "=~" and s.lhs not in out:
                out.append(s.lhs)
        return out

    @property
    def variable_names(self) -> list[str]:
        """Names used in the model that are not latent (the observed variables), in order."""
        lv = set(self.latent_names)
        out: list[str] = []
        for s in self.statements:
            if s.op == "==":
                continue
            for name in (s.rhs, s.lhs) if s.op == "=~" else (s.lhs, s.rhs):
                if name and name not in lv and name not in out:
                    out.append(name)
        return out


@dataclass
class _Tok:
    kind: str
    text: str
    line: int
    col: int


def _error(message: str, line: int, col: int, text: str, hint: str | None = None) -> ModelError:
    src = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    pointer = f"\n    {src}\n    {' ' * max(col - 1, 0)}^" if src else ""
    return ModelError(
        f"{message}{pointer}",
        hint=hint
        or "Check the lavaan model syntax: `factor =~ item1 + item2 + item3`, one relation a line.",
        location=f"model syntax, line {line}, column {col}",
    )


def _strip_comment(line: str) -> str:
    out = []
    quote = None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


def _tokenize(text: str) -> list[list[_Tok]]:
    """Split into logical statements (lists of tokens); a statement may span several lines."""
    statements: list[list[_Tok]] = []
    current: list[_Tok] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        pos = 0
        for part_start, part in _split_semicolons(line):
            toks: list[_Tok] = []
            pos = 0
            while pos < len(part):
                m = _TOKEN_RE.match(part, pos)
                if not m:
                    raise _error(
                        f"unexpected character {part[pos]!r}", lineno, part_start + pos + 1, text
                    )
                kind = m.lastgroup or ""
                if kind != "ws":
                    toks.append(_Tok(kind, m.group(), lineno, part_start + pos + 1))
                pos = m.end()
            if not toks:
                continue
            # A piece without an operator, or following a dangling "+"/operator, continues the
            # previous statement (lavaan lets a long right-hand side run over several lines).
            has_op = any(t.kind == "op" for t in toks)
            dangling = bool(current) and current[-1].text in _CONTINUES
            if current and (dangling or not has_op):
                current.extend(toks)
            else:
                if current:
                    statements.append(current)
                current = toks
    if current:
        statements.append(current)
    return statements


def _split_semicolons(line: str) -> list[tuple[int, str]]:
    parts = []
    start = 0
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ";":
            parts.append((start, line[start:i]))
            start = i + 1
    parts.append((start, line[start:]))
    return parts


def _parse_number(tok: _Tok) -> float:
    return float(tok.text)


class _Parser:
    def __init__(self, toks: list[_Tok], text: str):
        self.toks = toks
        self.i = 0
        self.text = text

    def peek(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            last = self.toks[-1]
            raise _error(
                "the statement ends too early", last.line, last.col + len(last.text), self.text
            )
        self.i += 1
        return tok

    def fail(self, message: str, tok: _Tok | None = None, hint: str | None = None) -> ModelError:
        tok = tok or self.peek() or self.toks[-1]
        return _error(message, tok.line, tok.col, self.text, hint)

    # --- modifiers -------------------------------------------------------------------------
    def _value(self) -> tuple[str, object]:
        """One modifier atom: a number, NA, a label name or a quoted label."""
        tok = self.take()
        if tok.text == "-" and self.peek() is not None and self.peek().kind == "number":
            return "fixed", -_parse_number(self.take())
        if tok.kind == "number":
            return "fixed", _parse_number(tok)
        if tok.kind == "name" and tok.text == "NA":
            return "free", None
        if tok.kind == "name":
            return "label", tok.text
        if tok.kind == "string":
            return "label", tok.text[1:-1]
        raise self.fail(f"expected a number, NA or a label, found {tok.text!r}", tok)

    def _call_args(self) -> list[tuple[str, object]]:
        if self.take().text != "(":
            raise self.fail("expected '('")
        args = []
        while True:
            args.append(self._value())
            tok = self.take()
            if tok.text == ")":
                return args
            if tok.text != ",":
                raise self.fail(f"expected ',' or ')', found {tok.text!r}", tok)

    def modifier_then_name(self) -> tuple[Modifier, _Tok]:
        fixed = label = start = None
        while True:
            tok = self.peek()
            nxt = self.peek(1)
            if tok is None:
                raise self.fail("expected a variable name")
            if tok.text == "-" and nxt is not None and nxt.kind == "number":
                after = self.peek(2)
                if after is not None and after.text in {"*", "?"}:
                    kind, val = self._value()
                    if self.take().text == "?":
                        start = (val,)
                    else:
                        fixed = (val,)
                    continue
            if nxt is not None and nxt.text == "*":
                # atom*  -> modifier
                kind, val = self._value()
                self.take()  # '*'
                if kind == "fixed":
                    fixed = (val,)
                elif kind == "free":
                    fixed = (None,)
                else:
                    label = (val,)
                continue
            if tok.kind == "name" and nxt is not None and nxt.text == "(":
                fname = tok.text
                self.take()
                args = self._call_args()
                star = self.take()
                if star.text not in {"*", "?"}:
                    raise self.fail(f"expected '*' after {fname}(...)", star)
                if fname == "c":
                    kinds = {k for k, _ in args}
                    if kinds <= {"fixed", "free"}:
                        fixed = tuple(v for _, v in args)  # type: ignore[misc]
                    elif kinds == {"label"}:
                        label = tuple(v for _, v in args)  # type: ignore[misc]
                    else:
                        raise self.fail("c(...) must hold only numbers/NA or only labels", tok)
                elif fname == "start":
                    if any(k not in {"fixed", "free"} for k, _ in args):
                        raise self.fail("start(...) takes numbers", tok)
                    start = tuple(v for _, v in args)  # type: ignore[misc]
                elif fname in {"equal", "label"}:
                    if any(k != "label" for k, _ in args):
                        raise self.fail(f'{fname}(...) takes quoted labels, e.g. {fname}("a")', tok)
                    label = tuple(v for _, v in args)  # type: ignore[misc]
                else:
                    raise self.fail(
                        f"unknown modifier {fname}(...)",
                        tok,
                        "Use a number, NA, a label, start(), equal(), label() or c().",
                    )
                continue
            if tok.kind == "number" and nxt is not None and nxt.text == "?":
                self.take()
                self.take()
                start = (_parse_number(tok),)
                continue
            break
        name = self.take()
        if name.kind == "number" and name.text in {"1", "1.0"}:
            return Modifier(fixed, label, start), name
        if name.kind != "name" or name.text == "NA":
            raise self.fail(f"expected a variable name, found {name.text!r}", name)
        return Modifier(fixed, label, start), name


def parse_model(text: str) -> ParsedModel:
    """Parse lavaan model syntax.

    Parameters
    ----------
    text
        Model syntax, e.g. ``"visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6"``.

    Returns
    -------
    ParsedModel
        One :class:`Statement` per right-hand-side term (``F =~ a + b`` gives two), in order.

    Raises
    ------
    ModelError
        With the line, the column and the offending token, for anything that is not valid syntax
        or is outside what a CFA supports (regressions, defined parameters, thresholds).

    Examples
    --------
    >>> m = parse_model("F =~ x1 + a*x2 + a*x3; x1 ~~ x2")
    >>> [(s.lhs, s.op, s.rhs) for s in m.statements]
    [('F', '=~', 'x1'), ('F', '=~', 'x2'), ('F', '=~', 'x3'), ('x1', '~~', 'x2')]
    """
    if not isinstance(text, str) or not text.strip():
        raise ModelError(
            "the model syntax is empty",
            hint="Write one line per factor, e.g. `customer =~ co1 + co2 + co3`.",
        )
    out: list[Statement] = []
    for toks in _tokenize(text):
        out.extend(_parse_statement(toks, text))
    if not out:
        raise ModelError(
            "the model syntax has no statements (only comments?)",
            hint="Write one line per factor, e.g. `customer =~ co1 + co2 + co3`.",
        )
    return ParsedModel(tuple(out), text)


def _parse_statement(toks: list[_Tok], text: str) -> list[Statement]:
    ops = [k for k, t in enumerate(toks) if t.kind == "op"]
    if not ops:
        t = toks[0]
        raise _error(
            f"no operator in {' '.join(x.text for x in toks)!r}",
            t.line,
            t.col,
            text,
            "Each statement needs an operator: =~ (loadings), ~~ (covariances) or ~ 1 (intercepts).",
        )
    k = ops[0]
    op_tok = toks[k]
    if len(ops) > 1:
        t = toks[ops[1]]
        raise _error(
            f"a second operator {t.text!r} in one statement",
            t.line,
            t.col,
            text,
            "Put each relation on its own line or separate them with ';'.",
        )
    op = op_tok.text
    if op not in _SUPPORTED:
        raise _error(
            f"operator {op!r} is not supported",
            op_tok.line,
            op_tok.col,
            text,
            _UNSUPPORTED_HINT.get(op),
        )
    lhs_toks = toks[:k]
    rhs_toks = toks[k + 1 :]
    if not lhs_toks:
        raise _error(f"nothing on the left of {op!r}", op_tok.line, op_tok.col, text)
    if not rhs_toks:
        raise _error(f"nothing on the right of {op!r}", op_tok.line, op_tok.col + len(op), text)
    lhs_names = _split_plus(lhs_toks, text)
    if op == "==":
        if len(lhs_names) != 1 or len(lhs_toks) != 1 or len(rhs_toks) != 1:
            raise _error(
                "'==' takes one label on each side, e.g. `a == b`", op_tok.line, op_tok.col, text
            )
        if rhs_toks[0].kind != "name" or lhs_toks[0].kind != "name":
            raise _error(
                "'==' compares two labels",
                op_tok.line,
                op_tok.col,
                text,
                "Fix a parameter to a value with `1*x1` instead.",
            )
        return [
            Statement(lhs_toks[0].text, "==", rhs_toks[0].text, Modifier(), op_tok.line, op_tok.col)
        ]
    for lt in lhs_names:
        if len(lt) != 1 or lt[0].kind != "name":
            t = lt[0]
            raise _error(
                "the left-hand side must be a variable or factor name",
                t.line,
                t.col,
                text,
                "Modifiers such as 0.5* go on the right-hand side.",
            )
    if op == "=~" and len(lhs_names) > 1:
        t = lhs_names[1][0]
        raise _error("only one factor may stand left of '=~'", t.line, t.col, text)
    out: list[Statement] = []
    for term in _split_plus(rhs_toks, text):
        p = _Parser(term, text)
        mod, name = p.modifier_then_name()
        if p.peek() is not None:
            raise p.fail(
                f"unexpected {p.peek().text!r} after {name.text!r}",
                hint="Separate terms with '+', and modifiers from names with '*'.",
            )
        is_intercept = name.kind == "number"
        if op == "~" and not is_intercept:
            raise _error(
                "regressions ('~') are not part of a CFA",
                op_tok.line,
                op_tok.col,
                text,
                "Use `F =~ ...` for factors (a second-order factor is `G =~ F1 + F2 + F3`), "
                "`x1 ~~ x2` for covariances and `x1 ~ 1` for intercepts.",
            )
        if is_intercept and op != "~":
            raise _error(
                f"'1' is only valid as an intercept (`x ~ 1`), not after {op!r}",
                name.line,
                name.col,
                text,
            )
        for lt in lhs_names:
            if is_intercept:
                out.append(Statement(lt[0].text, "~1", "", mod, lt[0].line, lt[0].col))
            else:
                out.append(Statement(lt[0].text, op, name.text, mod, name.line, name.col))
    return out


def _split_plus(toks: list[_Tok], text: str) -> list[list[_Tok]]:
    terms: list[list[_Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if t.text == "+" and depth == 0:
            if not terms[-1]:
                raise _error("empty term before '+'", t.line, t.col, text)
            terms.append([])
        else:
            terms[-1].append(t)
    if not terms[-1]:
        last = toks[-1]
        raise _error("the statement ends with '+'", last.line, last.col, text)
    return terms
