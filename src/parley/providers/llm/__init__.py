"""Language models behind one streaming interface with tool calls."""
