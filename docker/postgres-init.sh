#!/bin/sh
# Provisions Mooring's roles on first start of the postgres container (see docs/operations.md):
# the owner that runs migrations, the app's login role (owns nothing, no BYPASSRLS) and the
# NOLOGIN role owning the cross-tenant lookup functions.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE mooring_owner LOGIN PASSWORD '${MOORING_OWNER_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE mooring_app LOGIN PASSWORD '${MOORING_APP_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE mooring_system NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT mooring_system TO mooring_owner;
CREATE DATABASE mooring OWNER mooring_owner;
SQL
