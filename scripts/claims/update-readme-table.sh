#!/usr/bin/env bash
# Re-evaluates every committed claim result (results/claims/*/ with a sweep.json) with `batchlab
# verify` (which rewrites their verdicts.csv/json, Holm over all of them) and writes the README's
# claims table, `batchlab verify --format md` of those folders, between its claims-table markers.
# test/claims-readme.test.ts fails when the table and the committed verdicts differ.
set -euo pipefail
cd "$(dirname "$0")/../.."
dirs=()
for d in results/claims/*/; do [ -f "$d/sweep.json" ] && dirs+=("${d%/}"); done
node bin/batchlab.mjs verify "${dirs[@]}" >/dev/null
table=$(node bin/batchlab.mjs verify --format md "${dirs[@]}")
TABLE="$table" node -e '
const fs = require("node:fs");
const [a, b] = ["<!-- claims-table:start -->", "<!-- claims-table:end -->"];
const s = fs.readFileSync("README.md", "utf8");
const i = s.indexOf(a), j = s.indexOf(b);
if (i < 0 || j < i) { console.error("update-readme-table: README.md lacks the claims-table markers"); process.exit(2); }
fs.writeFileSync("README.md", s.slice(0, i + a.length) + "\n" + process.env.TABLE.trim() + "\n" + s.slice(j));
console.log("update-readme-table: README.md claims table written");
'
