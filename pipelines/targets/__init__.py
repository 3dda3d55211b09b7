"""Targets (streefwaarden): what the partners agreed, and how far the published figures are on the way."""
