#!/bin/sh
# Stands in for Prisma's schema-engine binary, which cannot be downloaded offline.
# It must fail: a stub that exits 0 makes `prisma migrate deploy` silently migrate nothing.
echo "prisma schema-engine binary is not available here: use npm run db:migrate" >&2
exit 1
