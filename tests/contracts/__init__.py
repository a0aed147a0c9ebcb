"""Contract tests: recorded traffic and generated code checked against ../shared/specs."""
