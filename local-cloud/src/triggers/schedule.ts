/**
 * EventBridge schedule expressions: `rate(5 minutes)` and AWS's six-field
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, always in UTC.
 * Day-of-week runs 1-7 from Sunday; one of the two day fields must be `?`.
 */

export interface Schedule {
  /** The first firing strictly after `after`. */
  next(after: Date): Date;
}

const MINUTE = 60_000;
const RATE_UNITS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`Invalid schedule expression ${expression}: ${reason}`);
    this.name = 'ScheduleExpressionError';
  }
}

/** `*`, `?`, `5`, `1-5`, `MON-FRI`, `0/15`, `*\/5`, `1,3,5` -> the set of values in [min, max]. */
function parseSet(field: string, min: number, max: number, names: string[], fail: (reason: string) => never) {
  const values = new Set<number>();
  const toNumber = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const value = named >= 0 ? named + min : Number(token);
    if (!Number.isInteger(value) || value < min || value > max) fail(`${token} is out of ${min}-${max}`);
    return value;
  };
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(`bad step in ${part}`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [low = '', high = ''] = range.split('-');
      from = toNumber(low);
      to = toNumber(high);
    } else {
      from = toNumber(range);
      to = stepText === undefined ? from : max;
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

type DayTest = (date: Date) => boolean;

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

function isWeekday(year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The weekday nearest to `day` in the same month (AWS `W`). */
function nearestWeekday(date: Date, day: number): number {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const last = daysInMonth(date);
  const target = Math.min(day, last);
  if (isWeekday(year, month, target)) return target;
  const weekday = new Date(Date.UTC(year, month, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  return target === last ? target - 2 : target + 1;
}

function dayOfMonthTest(field: string, fail: (reason: string) => never): DayTest | undefined {
  if (field === '?') return undefined;
  if (field === 'L') return (date) => date.getUTCDate() === daysInMonth(date);
  if (field === 'LW') return (date) => date.getUTCDate() === nearestWeekday(date, daysInMonth(date));
  const weekday = /^(\d{1,2})W$/.exec(field);
  if (weekday) {
    const day = Number(weekday[1]);
    return (date) => date.getUTCDate() === nearestWeekday(date, day);
  }
  const days = parseSet(field, 1, 31, [], fail);
  return (date) => days.has(date.getUTCDate());
}

function dayOfWeekTest(field: string, fail: (reason: string) => never): DayTest | undefined {
  if (field === '?') return undefined;
  const toDay = (token: string) => [...parseSet(token, 1, 7, DAYS, fail)][0] ?? 1;
  const last = /^(\w+)L$/i.exec(field);
  if (last?.[1]) {
    const day = toDay(last[1]);
    return (date) => date.getUTCDay() + 1 === day && date.getUTCDate() + 7 > daysInMonth(date);
  }
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth?.[1]) {
    const day = toDay(nth[1]);
    const occurrence = Number(nth[2]);
    return (date) => date.getUTCDay() + 1 === day && Math.ceil(date.getUTCDate() / 7) === occurrence;
  }
  const days = parseSet(field, 1, 7, DAYS, fail);
  return (date) => days.has(date.getUTCDay() + 1);
}

function cronSchedule(expression: string, body: string): Schedule {
  const fail = (reason: string): never => {
    throw new ScheduleExpressionError(expression, reason);
  };
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) fail('cron needs 6 fields: minutes hours day-of-month month day-of-week year');
  const [minuteField = '', hourField = '', domField = '', monthField = '', dowField = '', yearField = ''] =
    fields;
  if ((domField === '?') === (dowField === '?'))
    fail('exactly one of day-of-month and day-of-week must be ?');
  const minutes = [...parseSet(minuteField, 0, 59, [], fail)].sort((a, b) => a - b);
  const hours = [...parseSet(hourField, 0, 23, [], fail)].sort((a, b) => a - b);
  const months = parseSet(monthField, 1, 12, MONTHS, fail);
  const years = parseSet(yearField, 1970, 2199, [], fail);
  const dayTest = dayOfMonthTest(domField, fail) ?? dayOfWeekTest(dowField, fail) ?? (() => true);

  return {
    next(after) {
      const start = new Date(Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE);
      const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
      // Five years of days is plenty for any expression that fires at all.
      for (let i = 0; i < 366 * 5; i += 1, day.setUTCDate(day.getUTCDate() + 1)) {
        if (!years.has(day.getUTCFullYear()) || !months.has(day.getUTCMonth() + 1) || !dayTest(day)) continue;
        for (const hour of hours) {
          for (const minute of minutes) {
            const candidate = new Date(day.getTime() + hour * 60 * MINUTE + minute * MINUTE);
            if (candidate >= start) return candidate;
          }
        }
      }
      return fail('it never fires in the next five years');
    },
  };
}

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const amount = Number(rate[1]);
    const unit = (rate[2] ?? 'minute').replace(/s$/, '');
    if (amount < 1) throw new ScheduleExpressionError(expression, 'the rate must be at least 1');
    if ((amount === 1) !== !rate[2]?.endsWith('s')) {
      throw new ScheduleExpressionError(expression, 'use the singular unit for 1 and the plural otherwise');
    }
    const interval = amount * (RATE_UNITS[unit] ?? MINUTE);
    return { next: (after) => new Date(after.getTime() + interval) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) return cronSchedule(expression, cron[1] ?? '');
  throw new ScheduleExpressionError(expression, 'expected rate(...) or cron(...)');
}

/** The event EventBridge sends a function for a scheduled rule. */
export function scheduledEvent(settings: {
  ruleArn: string;
  region: string;
  accountId: string;
  time: Date;
  id: string;
}) {
  return {
    version: '0',
    id: settings.id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: settings.accountId,
    time: settings.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: settings.region,
    resources: [settings.ruleArn],
    detail: {},
  };
}
