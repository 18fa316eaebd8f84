"""Speed and memory machinery of the measurement, each kernel behind a plain function equal to a plain rule:

    prefixes.PrefixParser.parse   = `logs.parse_json` of the whole line
    reuse.LeadingReuse.match      = comparing the leading items one by one (what a fresh count would do)
    radix.select_ranks            = `sorted(values)[rank]`
    dedupe.count_duplicates       = `readiness.duplicate_counts`
    spill.Spill / Reader          = a list of arrays, kept in anonymous temporary files
    warm                          = importing the counting modules and loading o200k_base
"""
