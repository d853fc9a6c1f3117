"""党日记实 — an offline ledger for a party branch's monthly 党员活动日."""

__version__ = "0.1.0"
APP_NAME = "党日记实"
APP_ID = "dangri"
