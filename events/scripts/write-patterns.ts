/**
 * Writes events/patterns.json: the EventBridge pattern of every rule in
 * ruleContracts (src/patterns.ts), derived from the contracts. The services'
 * serverless.yml read their rules' patterns from it; run this after changing
 * which contract versions a rule delivers.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulePatterns } from '../src/patterns';

const file = join(import.meta.dirname, '..', 'patterns.json');
writeFileSync(file, `${JSON.stringify(rulePatterns(), null, 2)}\n`);
// In the house format, so `npm run lint` stays clean.
const formatted = spawnSync('npx', ['biome', 'format', '--write', file], { stdio: 'inherit' });
if (formatted.status !== 0) process.exit(formatted.status ?? 1);
console.log(`wrote ${file}`);
