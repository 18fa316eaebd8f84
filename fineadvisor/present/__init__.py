"""For people and machines: text, JSON and Markdown reports, the charts' frames and specs, the command line."""
