"""The application shell: it builds the Telegram application from the handlers and the
domain, runs it (long polling or a webhook), and holds the command line, the sandbox command
and the demo. Nothing below it imports it: the handlers, the domain in bot/ and storage/ are
assembled here, never the other way round (tests/unit/test_layers.py)."""
