"""Indicator helpers around the SQL: the catalogue documents, trends, linkage quality and an independent check.

The indicators themselves are SQL (sql/indicators/*.sql). This package turns the one catalogue definition
(sql/catalogue.yaml) into documents, prepares the protected tables for the dashboard, and holds a second,
independent computation of some indicators in plain polars that the tests hold the SQL against.
"""
