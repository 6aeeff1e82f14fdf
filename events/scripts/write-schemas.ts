/**
 * Writes events/schemas/<DetailType>.v<N>.json for every contract version.
 * A version's schema may only change compatibly (see compatibility.ts): the
 * script refuses to overwrite a published schema with a breaking one. Add a
 * new version beside the old one instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakingChanges } from '../src/compatibility';
import { allContracts } from '../src/contracts';
import { detailJsonSchema } from '../src/json-schema';

const dir = join(import.meta.dirname, '..', 'schemas');
let failed = false;
for (const contract of allContracts) {
  const file = join(dir, `${contract.name}.json`);
  const schema = detailJsonSchema(contract);
  if (existsSync(file)) {
    const problems = breakingChanges(JSON.parse(readFileSync(file, 'utf8')), schema);
    if (problems.length > 0) {
      console.error(
        `${contract.name}: breaking change, add a new version instead:\n  ${problems.join('\n  ')}`,
      );
      failed = true;
      continue;
    }
  }
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
process.exit(failed ? 1 : 0);
