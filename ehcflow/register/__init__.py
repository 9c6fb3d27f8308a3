"""The request register: ehcflow's exchange format for assessment requests, in and out.

docs/domain/request-register.md is the contract. `schema` names its columns and codes;
`formats` reads CSV and XLSX into numbered rows; `validation` checks them without the
database; `importer` checks them against the database and applies them, all or nothing;
`bulk` writes many rows fast; `exporter` writes the register back out. The commands
`ehcflow import-requests` and `ehcflow export-requests` are thin wrappers.
"""
