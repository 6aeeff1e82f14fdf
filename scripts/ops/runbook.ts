/**
 * docs/RUNBOOK.md: one entry per CloudWatch alarm of the stacks, headed by the
 * alarm's name with the stage written `<stage>` (the name the SNS
 * notification carries), each saying what it means, where to look and how to
 * fix it. The topology test fails when an alarm of the packaged templates has
 * no entry, or an entry no alarm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../stacks';

export const RUNBOOK_PATH = 'docs/RUNBOOK.md';

/** The parts every entry has, as bold labels at the start of a paragraph or list item. */
export const RUNBOOK_PARTS = ['Means', 'Look', 'Fix'] as const;

/** An alarm's name with its stage written `<stage>`: `local-connections-fanout-dlq` -> `<stage>-connections-fanout-dlq`. */
export const alarmTemplate = (alarmName: string, stage: string): string => {
  if (alarmName.startsWith(`${stage}-`)) return `<stage>-${alarmName.slice(stage.length + 1)}`;
  const at = alarmName.indexOf(`-${stage}-`);
  return at === -1
    ? alarmName
    : `${alarmName.slice(0, at)}-<stage>-${alarmName.slice(at + stage.length + 2)}`;
};

/** GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces as -. */
export const headingAnchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

export interface RunbookEntry {
  /** The alarm name as the heading writes it, `<stage>` included. */
  alarm: string;
  anchor: string;
  body: string;
  /** The parts (Means, Look, Fix) the entry lacks. */
  missing: string[];
}

/** A backtick, spelt so that the regular expression below reads plainly. */
const TICK = '\u0060';
const ALARM_HEADING = new RegExp(`^#{2,3} ${TICK}([^${TICK}]+)${TICK}\\s*$`, 'gm');

/** The entries of a runbook: every level-3 heading that is an alarm name in backticks, and the text under it. */
export const readRunbook = (markdown: string): RunbookEntry[] => {
  const entries: RunbookEntry[] = [];
  const headings = [...markdown.matchAll(ALARM_HEADING)];
  for (const heading of headings) {
    const start = (heading.index ?? 0) + heading[0].length;
    const next = markdown.slice(start).search(/^#{1,3} /m);
    const body = markdown.slice(start, next === -1 ? undefined : start + next).trim();
    const alarm = heading[1] ?? '';
    entries.push({
      alarm,
      anchor: headingAnchor(TICK + alarm + TICK),
      body,
      missing: RUNBOOK_PARTS.filter((part) => !new RegExp(`(^|\\n)(- )?\\*\\*${part}\\*\\*`).test(body)),
    });
  }
  return entries;
};

export const loadRunbook = (dir = root): RunbookEntry[] =>
  readRunbook(readFileSync(join(dir, RUNBOOK_PATH), 'utf8'));
