"""Headless subcommands of `kiosk`, one module per area; each has `register(subparsers)`."""

from kiosk.commands import audit_cmd, card_cmd, config_cmd, staff_cmd

COMMAND_MODULES = (config_cmd, staff_cmd, audit_cmd, card_cmd)
