"""Suite-wide plugins: the contract recorder checks every exchange against the published specs."""

pytest_plugins = ("tests.contracts.plugin",)
