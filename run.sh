#!/usr/bin/env bash
# Starts the whole platform in the foreground: PostgreSQL, RabbitMQ, the four services and the gateway.
# Options are passed to the AppHost (see --help): e.g. ./run.sh --gateway-port 9090, ./run.sh --wipe
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/prerequisites.sh
dotnet build CrmPlatform.sln -c Debug -nologo -clp:ErrorsOnly
exec dotnet src/AppHost/bin/Debug/net10.0/CrmPlatform.AppHost.dll "$@"
