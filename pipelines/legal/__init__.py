"""Legal documents generated from the contracts: the DPIA and the record of processing (art. 30 AVG)."""
