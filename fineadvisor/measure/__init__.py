"""What the logs say: files → records → exact token counts → workload profile and fine-tuning readiness.

Imports only the shared top-level modules, never `advise` or `present`. The speed machinery (prefix reuse, spill
files, radix percentiles, external-memory duplicate counts, the worker warm-up) is in `_fast/`, behind plain
functions whose reference rule is stated in the package.
"""
