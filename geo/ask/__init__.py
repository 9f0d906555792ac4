"""Ask: questions answered from an analysis (locate, reach, search, features, export)."""
