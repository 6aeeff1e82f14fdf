/** `npm run lint:workflows [-- <file>...]`: the workflows (default .github/workflows/*.yml) against GitHub's schema. */
import { relative, resolve } from 'node:path';
import { root } from './stacks';
import { checkWorkflows, workflowFiles } from './workflows/workflows';

const files = process.argv.length > 2 ? process.argv.slice(2).map((file) => resolve(file)) : workflowFiles();
let failed = 0;
for (const { file, problems } of checkWorkflows(files)) {
  const name = relative(root, file);
  if (problems.length === 0) {
    process.stdout.write(`${name}: valid\n`);
    continue;
  }
  failed++;
  process.stdout.write(
    `${name}: ${problems.length} problem(s)\n${problems.map((line) => `  ${line}`).join('\n')}\n`,
  );
}
if (failed > 0) process.exit(1);
