"""The SP-API code generator: Amazon's Swagger models -> ``amazon/_generated/`` (``nox -s codegen``)."""
