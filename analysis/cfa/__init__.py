"""The CFA engine: lavaan syntax -> parameter table -> model matrices -> estimation -> fit.

Stages (one module each): :mod:`.syntax` (parser), :mod:`.partable` (parameter table),
:mod:`.matrices` (LISREL matrices, implied moments, Jacobian), :mod:`.samplestats` (moments,
missing-data patterns, EM), :mod:`.objective` (ML/FIML discrepancy and derivatives),
:mod:`.estimators` (estimator strategy objects), :mod:`.start`, :mod:`.optimize`,
:mod:`.information` (standard errors), :mod:`.tests_stats` (chi-square, Yuan-Bentler),
:mod:`.fit` (fit measures), :mod:`.standardize`, :mod:`.modindices`, :mod:`.diagnostics`,
:mod:`.result` (:class:`CFAResult`) and :mod:`.api` (:func:`cfa`).
"""

from .api import cfa
from .partable import ParTable, build_partable
from .result import CFAResult
from .syntax import ParsedModel, parse_model

__all__ = ["CFAResult", "ParTable", "ParsedModel", "build_partable", "cfa", "parse_model"]
