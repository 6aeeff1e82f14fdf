/**
 * Every function's permissions list against its code: each action the list
 * grants is one the handler's code reaches (./code-actions.ts), and each the
 * code reaches is granted, or named in the list's `notGranted` with why the
 * function never calls it. The roles are held to the lists by
 * ./roles.integration.test.ts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionPermissions, NotGranted } from '@live-comments/shared/permissions';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from '../stacks';
import { type CodeActionsReader, createCodeActionsReader } from './code-actions';

const SERVICES = ['posts', 'comments', 'connections'];
/** Walking the code of a service's handlers takes seconds on a busy machine. */
const WALK_TIMEOUT_MS = 60_000;

const handlersOf = (service: string) => {
  const dir = join(root, 'services', service, 'src', 'handlers');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !/\.(test|permissions)\.ts$/.test(file))
    .map((file) => ({ name: file.slice(0, -'.ts'.length), file: join(dir, file), dir }));
};

let reader: CodeActionsReader;
beforeAll(() => {
  // One TypeScript program over the services: read once (tens of seconds on these machines).
  reader = createCodeActionsReader(root);
}, 180_000);

describe('permissions lists against the code', () => {
  it('sit beside every handler, and only there', () => {
    for (const service of SERVICES) {
      const handlers = handlersOf(service);
      expect(handlers.length, service).toBeGreaterThan(0);
      for (const { name, dir } of handlers)
        expect(existsSync(join(dir, `${name}.permissions.ts`)), `${service} ${name}.permissions.ts`).toBe(
          true,
        );
      for (const file of readdirSync(handlers[0]?.dir ?? '').filter((f) => f.endsWith('.permissions.ts')))
        expect(
          handlers.map((handler) => handler.name),
          `${service} ${file} has no handler`,
        ).toContain(file.slice(0, -'.permissions.ts'.length));
    }
  });

  for (const service of SERVICES) {
    it(
      `grant every ${service} function what its code calls and nothing else`,
      async () => {
        for (const { name, file, dir } of handlersOf(service)) {
          const where = `${service} ${name}`;
          const { permissions, notGranted = {} } = (await import(join(dir, `${name}.permissions.ts`))) as {
            permissions: FunctionPermissions;
            notGranted?: NotGranted;
          };
          const granted = new Set<string>(Object.values(permissions).flat());
          const reached = reader.actionsOf(file);
          const waived = Object.keys(notGranted);
          expect(
            [...granted].filter((action) => !reached.has(action)),
            `${where}: granted, but its code never calls it`,
          ).toEqual([]);
          expect(
            [...reached]
              .filter(([action]) => !granted.has(action) && !waived.includes(action))
              .map(([action, at]) => `${action} (${at})`),
            `${where}: its code calls it, but its list does not grant it`,
          ).toEqual([]);
          expect(
            waived.filter((action) => granted.has(action) || !reached.has(action)),
            `${where}: notGranted names what is granted or never reached`,
          ).toEqual([]);
        }
      },
      WALK_TIMEOUT_MS,
    );
  }

  it('reads the actions of the code, not of its imports: a read function reaches no write', {
    timeout: WALK_TIMEOUT_MS,
  }, () => {
    const handler = (service: string, name: string) =>
      join(root, 'services', service, 'src', 'handlers', `${name}.ts`);
    expect([...reader.actionsOf(handler('posts', 'get-post')).keys()]).toEqual(['dynamodb:GetItem']);
    expect([...reader.actionsOf(handler('posts', 'health')).keys()]).toEqual([]);
    expect([...reader.actionsOf(handler('comments', 'create-comment')).keys()].sort()).toEqual(
      [
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
      ].sort(),
    );
  });
});
