"""Stage 7, publish: the published files, the manifest and the atomic swap of a publication."""
