#!/usr/bin/env bash
# Runs every test on real PostgreSQL and RabbitMQ (the tests start private ones, and whole platforms, through Aspire).
# Results land in artifacts/test-results (TRX); extra arguments go to dotnet test (e.g. --filter ...).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/prerequisites.sh --tests
# The contract tests run the tools the API's users run (Spectral, openapi-typescript, tsc, the AsyncAPI CLI), pinned in contract/.
[ contract/node_modules/.package-lock.json -nt contract/package-lock.json ] || npm ci --prefix contract --no-audit --no-fund --loglevel=error
dotnet build CrmPlatform.sln -c Debug -nologo -clp:ErrorsOnly
rm -rf artifacts/test-results artifacts/contract-violations.txt
dotnet test CrmPlatform.sln -c Debug --no-build --results-directory artifacts/test-results \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" "$@"
