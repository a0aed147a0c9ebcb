"""Rule data for the sandbox world: the account maps, customers and settings its workflows use."""
