"""Imported only by the multiprocessing forkserver before it forks counting workers.

Each worker then inherits a ready o200k encoding and the counting modules instead of spending ~0.5 s on them.
"""

import fineadvisor.measure.scan  # noqa: F401 - the workers' code
from fineadvisor.measure.encodings import DEFAULT_ENCODING, load_encoding

load_encoding(DEFAULT_ENCODING)
