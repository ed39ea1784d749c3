#!/usr/bin/env bash
# Every test: system tools, type check, lint, unit tests, end-to-end tests.
# npm puts node_modules/.bin first on PATH, so `node` here is Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
echo "== node $(node --version)"
echo "== typecheck"; tsc --noEmit -p .
echo "== lint"; eslint --max-warnings=0 .
echo "== tests"
node --test --test-concurrency=1 --test-timeout=300000 'src/**/*.test.ts' 'test/**/*.test.ts'
