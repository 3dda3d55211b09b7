"""The privacy audit a privacy officer signs, and the retention rules it reports on.

`monitor audit` writes `audit.md` and `audit.html`: every source and field with its privacy class and fate,
the hashing configuration and key fingerprint, retention per source and what is past it, the run history
from the manifests, and a scan of the warehouse and the publication for anything that looks like a BSN,
onderwijsnummer, postcode, e-mail address, phone number or a column of names. A finding fails the audit.
"""
