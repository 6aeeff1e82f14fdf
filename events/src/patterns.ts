import type { EventContract } from './contract';
import { CommentCreatedV1, CommentDeletedV1, PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from './contracts';

/** One source, some of its detail-types and the versions they all have. */
export interface EventPatternBranch {
  source: [string];
  'detail-type': string[];
  detail: { version: number[] };
}

/** The EventBridge pattern of a rule: one branch, or an `$or` of several. */
export type EventPattern = EventPatternBranch | { $or: EventPatternBranch[] };

/**
 * The pattern that matches exactly these contract versions: a version a
 * consumer does not parse stays on the bus instead of ending in its DLQ.
 * Detail-types of one source that share their versions go in one branch; the
 * pattern is an `$or` of the branches when there are several.
 */
export const eventPatternOf = (contracts: readonly EventContract[]): EventPattern => {
  if (contracts.length === 0) throw new Error('A rule needs at least one contract');
  const versions = new Map<string, { source: string; detailType: string; versions: number[] }>();
  for (const { source, detailType, version } of contracts) {
    const key = JSON.stringify([source, detailType]);
    const entry = versions.get(key) ?? { source, detailType, versions: [] };
    if (!entry.versions.includes(version)) entry.versions.push(version);
    versions.set(key, entry);
  }
  const branches = new Map<string, EventPatternBranch>();
  for (const { source, detailType, versions: list } of versions.values()) {
    const sorted = list.sort((a, b) => a - b);
    const key = JSON.stringify([source, sorted]);
    const branch = branches.get(key) ?? { source: [source], 'detail-type': [], detail: { version: sorted } };
    branch['detail-type'].push(detailType);
    branches.set(key, branch);
  }
  const [only, ...others] = branches.values();
  return only && others.length === 0 ? only : { $or: [...branches.values()] };
};

/**
 * The contract versions each rule delivers, by the name its serverless.yml
 * reads the pattern under (`${file(../../events/patterns.json):<name>}`); the
 * consumer behind the rule declares the same list (the topology integration
 * test checks every packaged rule against its consumer's contracts).
 */
export const ruleContracts = {
  postEventsV1: [PostCreatedV1, PostUpdatedV1, PostDeletedV1],
  commentEventsV1: [CommentCreatedV1, CommentDeletedV1],
} as const satisfies Record<string, readonly EventContract[]>;

/** events/patterns.json, as `npm run patterns -w events` writes it. */
export const rulePatterns = () =>
  Object.fromEntries(
    Object.entries(ruleContracts).map(([name, contracts]) => [name, eventPatternOf(contracts)]),
  ) as Record<keyof typeof ruleContracts, EventPattern>;
