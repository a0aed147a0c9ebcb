"""The core every layer stands on: HTTP calls, senders, limiter, retries, tokens, redaction."""
