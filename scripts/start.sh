#!/usr/bin/env bash
# The two-command start: `bash scripts/start.sh demo` or `bash scripts/start.sh test [vitest args...]`.
# On a fresh machine it installs pnpm and the workspace's dependencies, starts the local servers
# (scripts/services.sh installs any that are missing), builds, then runs the demo or every test.
set -euo pipefail
cd "$(dirname "$0")/.."

command="${1:-}"
shift || true

if ! command -v pnpm >/dev/null 2>&1; then
  npm install --global pnpm@9.15.9
fi
if [[ "${CI:-}" == "true" ]]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi

case "$command" in
  demo)
    bash scripts/services.sh up
    pnpm demo "$@"
    ;;
  test)
    bash scripts/services.sh up
    pnpm test "$@"
    ;;
  *)
    echo "usage: bash scripts/start.sh demo | test [vitest args...]" >&2
    exit 64
    ;;
esac
