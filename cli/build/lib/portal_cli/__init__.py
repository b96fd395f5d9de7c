"""The portal command line (portal_cli.main)."""
