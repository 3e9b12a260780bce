"""moscale: market-orientation and CRM survey scales, questionnaires and psychometric reports.

The public API (names are stable; see the README)::

    import moscale as ms
    inst = ms.load_instrument("example")
    data = ms.read_responses("responses.csv", instrument=inst)
    rel = ms.reliability(data.items["mktor_co1":"mktor_co6"])

Names are imported on first use, so that ``import moscale`` and the command line start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from moscale._version import __version__
from moscale.errors import DataError, DefinitionError, ModelError, UserError

#: public name -> module that defines it
_LAZY: dict[str, str] = {
    # definitions
    "Instrument": "moscale.instrument",
    "load_instrument": "moscale.instrument",
    "load_scale": "moscale.instrument",
    # responses
    "Dataset": "moscale.analysis.responses",
    "DataPolicy": "moscale.analysis.responses",
    "read_responses": "moscale.analysis.responses",
    "Scores": "moscale.analysis.scoring",
    "score": "moscale.analysis.scoring",
    "Screening": "moscale.analysis.screening",
    "screen": "moscale.analysis.screening",
    "Aggregation": "moscale.analysis.multilevel",
    "aggregate": "moscale.analysis.multilevel",
    "icc": "moscale.analysis.multilevel",
    "rwg_j": "moscale.analysis.multilevel",
    # item statistics, reliability, correlations
    "reliability": "moscale.analysis.reliability",
    "ReliabilityResult": "moscale.analysis.reliability",
    "item_statistics": "moscale.analysis.itemstats",
    "polychoric": "moscale.analysis.polychoric",
    "polyserial": "moscale.analysis.polychoric",
    "PolychoricResult": "moscale.analysis.polychoric",
    "correlation_matrix": "moscale.analysis.correlations",
    # factor structure
    "efa": "moscale.analysis.efa",
    "kmo": "moscale.analysis.factorability",
    "bartlett": "moscale.analysis.factorability",
    "parallel_analysis": "moscale.analysis.nfactors",
    "velicer_map": "moscale.analysis.nfactors",
    "omega": "moscale.analysis.omega",
    "omega_total_1f": "moscale.analysis.omega",
    # confirmatory factor analysis, invariance
    "cfa": "moscale.analysis.cfa.api",
    "CFAResult": "moscale.analysis.cfa.result",
    "parse_model": "moscale.analysis.cfa.syntax",
    "invariance": "moscale.analysis.invariance",
    "InvarianceResult": "moscale.analysis.invariance",
    "InvarianceRule": "moscale.analysis.invariance",
    # the whole analysis
    "analyze": "moscale.analysis.pipeline",
    "AnalysisOptions": "moscale.analysis.pipeline",
    "Report": "moscale.analysis.report",
    # validity, common-method variance
    "htmt": "moscale.analysis.validity",
    "composite_reliability": "moscale.analysis.validity",
    "ave": "moscale.analysis.validity",
    "fornell_larcker": "moscale.analysis.validity",
    "discriminant_validity": "moscale.analysis.validity",
    "harman_single_factor": "moscale.analysis.cmv",
    "method_factor_test": "moscale.analysis.cmv",
    "lindell_whitney": "moscale.analysis.cmv",
    "marker_cfa": "moscale.analysis.cmv",
    "marker_variable": "moscale.analysis.cmv",
    # group comparisons, simulation
    "GroupComparison": "moscale.analysis.groups",
    "compare_groups": "moscale.analysis.groups",
    "PopulationModel": "moscale.analysis.simulate",
    "simulate_responses": "moscale.analysis.simulate",
}

__all__ = [
    "Aggregation",
    "AnalysisOptions",
    "CFAResult",
    "DataError",
    "DataPolicy",
    "Dataset",
    "DefinitionError",
    "GroupComparison",
    "Instrument",
    "InvarianceResult",
    "InvarianceRule",
    "ModelError",
    "PolychoricResult",
    "PopulationModel",
    "ReliabilityResult",
    "Report",
    "Scores",
    "Screening",
    "UserError",
    "__version__",
    "aggregate",
    "analyze",
    "ave",
    "bartlett",
    "cfa",
    "compare_groups",
    "composite_reliability",
    "correlation_matrix",
    "discriminant_validity",
    "efa",
    "fornell_larcker",
    "harman_single_factor",
    "htmt",
    "icc",
    "invariance",
    "item_statistics",
    "kmo",
    "lindell_whitney",
    "load_instrument",
    "load_scale",
    "marker_cfa",
    "marker_variable",
    "method_factor_test",
    "omega",
    "omega_total_1f",
    "parallel_analysis",
    "parse_model",
    "polychoric",
    "polyserial",
    "read_responses",
    "reliability",
    "rwg_j",
    "score",
    "screen",
    "simulate_responses",
    "velicer_map",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'moscale' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from moscale.analysis.cfa.api import cfa
    from moscale.analysis.cfa.result import CFAResult
    from moscale.analysis.cfa.syntax import parse_model
    from moscale.analysis.cmv import (
        harman_single_factor,
        lindell_whitney,
        marker_cfa,
        marker_variable,
        method_factor_test,
    )
    from moscale.analysis.correlations import correlation_matrix
    from moscale.analysis.efa import efa
    from moscale.analysis.factorability import bartlett, kmo
    from moscale.analysis.groups import GroupComparison, compare_groups
    from moscale.analysis.invariance import InvarianceResult, InvarianceRule, invariance
    from moscale.analysis.itemstats import item_statistics
    from moscale.analysis.multilevel import Aggregation, aggregate, icc, rwg_j
    from moscale.analysis.nfactors import parallel_analysis, velicer_map
    from moscale.analysis.omega import omega, omega_total_1f
    from moscale.analysis.pipeline import AnalysisOptions, analyze
    from moscale.analysis.polychoric import PolychoricResult, polychoric, polyserial
    from moscale.analysis.reliability import ReliabilityResult, reliability
    from moscale.analysis.report import Report
    from moscale.analysis.responses import DataPolicy, Dataset, read_responses
    from moscale.analysis.scoring import Scores, score
    from moscale.analysis.screening import Screening, screen
    from moscale.analysis.simulate import PopulationModel, simulate_responses
    from moscale.analysis.validity import (
        ave,
        composite_reliability,
        discriminant_validity,
        fornell_larcker,
        htmt,
    )
    from moscale.instrument import Instrument, load_instrument, load_scale
