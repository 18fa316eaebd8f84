"""Imported only by the multiprocessing forkserver before it forks counting workers.

Each worker then inherits a ready o200k encoding instead of spending ~0.4 s building its own.
"""

from fineadvisor.encodings import DEFAULT_ENCODING, load_encoding

load_encoding(DEFAULT_ENCODING)
