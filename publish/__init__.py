"""gongkai's publishing side: catalog, reading, validation, staging, CKAN, ledger and reports."""

__version__ = "0.1.0"
