"""Action item rules and reads: items, lists and exports, bulk changes, calendar feeds."""
