"""moscale: market-orientation and CRM survey scales, questionnaires and psychometric reports.

The public API (names are stable; see the README)::

    import moscale as ms
    inst = ms.load_instrument("example")
"""

from moscale._version import __version__
from moscale.errors import DataError, DefinitionError, ModelError, UserError
from moscale.instrument import Instrument, load_instrument, load_scale

__all__ = [
    "DataError",
    "DefinitionError",
    "Instrument",
    "ModelError",
    "UserError",
    "__version__",
    "load_instrument",
    "load_scale",
]
