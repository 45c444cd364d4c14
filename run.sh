#!/usr/bin/env bash
# Starts the whole platform in the foreground on .NET Aspire: PostgreSQL, RabbitMQ, the mail sink, the services and the
# gateway, watched on Aspire's dashboard (its login link is printed). Ctrl+C or SIGTERM stops everything.
# Options go to the app host (./run.sh --AppHost:GatewayPort=9090); ./run.sh --wipe first deletes .crm/ (all data).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/prerequisites.sh
if [ "${1:-}" = "--wipe" ]; then
  shift
  rm -rf .crm
  echo "Deleted .crm/ (all data)."
fi
dotnet build src/AppHost -c Release -nologo -clp:ErrorsOnly
exec dotnet run --project src/AppHost -c Release --no-build --launch-profile http -- "$@"
