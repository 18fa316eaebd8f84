"""What it costs and what to do: scenario, prices, each strategy's costs, one timeline of cost over time, break-even,
the recommendation and what would change it.

Imports the shared top-level modules only: it reads the measurement's values (typed under TYPE_CHECKING) and never
loads tiktoken, orjson, numpy, pandas, click, streamlit or altair.
"""
