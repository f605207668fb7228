import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSortedSchema } from './schema.js';

// `schema:print` writes schema.graphql; `schema:check` fails when the committed file is stale.
const file = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
const printed = printSortedSchema();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== printed) {
    process.stderr.write('schema.graphql is stale: run `npm run schema:print` and commit it\n');
    process.exit(1);
  }
} else {
  writeFileSync(file, printed);
}
