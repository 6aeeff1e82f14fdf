/**
 * The GitHub Actions workflows checked against GitHub's workflow schema with
 * action-validator (@action-validator/core from the npm registry: the
 * SchemaStore schema compiled to WebAssembly, offline). `npm run
 * lint:workflows` (part of `npm run check`) and a unit test run it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ValidationError, validateWorkflow } from '@action-validator/core';
import { root } from '../stacks';

export const WORKFLOWS_DIR = join(root, '.github', 'workflows');

export const workflowFiles = (dir = WORKFLOWS_DIR): string[] =>
  readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));

type Nested = ValidationError & { states?: { errors: Nested[] }[] };

/** The innermost errors of action-validator's tree (a oneOf's every branch), one line each, deduplicated. */
const leaves = (errors: Nested[]): string[] =>
  errors.flatMap((error) => {
    const inner = (error.states ?? []).flatMap((state) => leaves(state.errors));
    if (inner.length > 0) return inner;
    const where = 'path' in error && error.path ? `${error.path}: ` : '';
    const at = 'location' in error && error.location ? ` (line ${error.location.line})` : '';
    return [`${where}${error.title}${error.detail ? ` (${error.detail})` : ''}${at}`];
  });

/** What is wrong with a workflow's YAML, as lines; none when it is valid. */
export const workflowProblems = (text: string): string[] => [
  ...new Set(leaves(validateWorkflow(text).errors as Nested[])),
];

/** Every workflow file's problems, by path. */
export const checkWorkflows = (files = workflowFiles()): { file: string; problems: string[] }[] =>
  files.map((file) => ({ file, problems: workflowProblems(readFileSync(file, 'utf8')) }));
