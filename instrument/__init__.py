"""Scale and study definitions: load, validate, resolve; questionnaires, exports and the codebook."""

from .loader import (
    builtin_scale_ids,
    builtin_scales,
    builtin_study_ids,
    load_instrument,
    load_scale,
    load_scale_file,
    parse_scale,
)
from .model import Block, Instrument, ResolvedItem
from .schema import Scale, Study

__all__ = [
    "Block",
    "Instrument",
    "ResolvedItem",
    "Scale",
    "Study",
    "builtin_scale_ids",
    "builtin_scales",
    "builtin_study_ids",
    "load_instrument",
    "load_scale",
    "load_scale_file",
    "parse_scale",
]
