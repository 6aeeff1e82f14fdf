import type { HttpRequestRecord } from '../gateways/http-gateway';
import type { JournalLine } from '../logs/journal';
import type { BusEventRow, LogLineRow, PathStep } from './model';

/**
 * One request's path through the system, from what the local cloud already
 * keeps: the HTTP request (the gateway answers with the correlation id), the
 * function log lines under its correlation id (each consumer's), the events it put on the bus with
 * where each rule sent them (the queues), and the broadcaster's `Broadcast
 * page sent` lines (the frames). What X-Ray's service map and a Logs
 * Insights query on `correlation_id` show together on AWS.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A journal line as the console's log view shows it: Powertools' level, message and correlation id read out. */
export const logLineRow = (line: JournalLine): LogLineRow => {
  let json: Record<string, unknown> | undefined;
  if (line.line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line.line);
      if (isRecord(parsed)) json = parsed;
    } catch {
      // Not JSON after all: shown as written.
    }
  }
  const level = typeof json?.level === 'string' ? json.level : line.stream === 'stderr' ? 'ERROR' : undefined;
  const correlationId = typeof json?.correlation_id === 'string' ? json.correlation_id : undefined;
  const message =
    json && typeof json.message === 'string'
      ? json.message
      : json && isRecord(json._aws)
        ? 'metrics (EMF)'
        : line.line;
  return {
    seq: line.seq,
    time: line.time,
    function: line.function,
    ...(level ? { level } : {}),
    message,
    ...(correlationId ? { correlationId } : {}),
  };
};

/** The correlation id an event carries (`detail.correlationId`, as the contracts declare it). */
export const correlationOfEvent = (detail: unknown): string | undefined =>
  isRecord(detail) && typeof detail.correlationId === 'string' ? detail.correlationId : undefined;

const FRAMES_LINE = 'Broadcast page sent';

const framesDetail = (json: Record<string, unknown>) => {
  const count = (name: string) => (typeof json[name] === 'number' ? json[name] : 0);
  const parts = [`${count('delivered')} delivered`];
  for (const name of ['gone', 'failed', 'throttled', 'abandoned'])
    if (count(name) > 0) parts.push(`${count(name)} ${name}`);
  return { detail: `frames: ${parts.join(', ')}`, failed: count('failed') + count('abandoned') > 0 };
};

/**
 * The steps of the request with this correlation id, in time order: one
 * `invocation` per function it called or that logged under it, an `event` per event it
 * put on the bus, a `queue` per rule target that event went to, and a
 * `frames` step per broadcast page.
 */
export const pathOf = (
  lines: readonly JournalLine[],
  events: readonly BusEventRow[],
  requests: readonly HttpRequestRecord[] = [],
): PathStep[] => {
  const steps: PathStep[] = [];
  const invocations = new Map<string, PathStep & { lines: number; request?: string }>();
  for (const request of requests) {
    const step = {
      kind: 'invocation' as const,
      at: request.at,
      name: request.functionKey,
      detail: '',
      lines: 0,
      request: `${request.routeKey}: ${request.status} in ${request.durationMs} ms`,
      ...(request.status >= 500 ? { failed: true } : {}),
    };
    invocations.set(request.functionKey, step);
    steps.push(step);
  }
  for (const line of lines) {
    const row = logLineRow(line);
    let step = invocations.get(line.function);
    if (!step) {
      step = { kind: 'invocation', at: line.time, name: line.function, detail: '', lines: 0 };
      invocations.set(line.function, step);
      steps.push(step);
    }
    step.lines += 1;
    if (row.level === 'ERROR' || row.level === 'CRITICAL') step.failed = true;
    if (row.message === FRAMES_LINE) {
      const json = JSON.parse(line.line) as Record<string, unknown>;
      const topic = typeof json.topic === 'string' ? json.topic : 'topic';
      steps.push({ kind: 'frames', at: line.time, name: topic, ...framesDetail(json) });
    }
  }
  for (const step of invocations.values()) {
    const logged =
      step.lines > 0 || !step.request
        ? `${step.lines} log line${step.lines === 1 ? '' : 's'}${step.failed ? ', with errors' : ''}`
        : '';
    step.detail = [step.request, logged].filter(Boolean).join(', ');
  }
  for (const event of events) {
    steps.push({
      kind: 'event',
      at: event.receivedAt,
      name: event.detailType,
      detail: `${event.id} on ${event.busName}`,
    });
    for (const target of event.targets) {
      steps.push({
        kind: 'queue',
        at: event.receivedAt,
        name: target.target,
        detail: `rule ${target.ruleName}: ${target.outcome}${target.errorCode ? ` (${target.errorCode})` : ''}`,
        ...(target.outcome === 'delivered' || target.outcome === 'pending' ? {} : { failed: true }),
      });
    }
  }
  // Stable: an event's queues stay after it, a page's frames after its invocation.
  return steps
    .map(
      ({ lines: _lines, request: _request, ...step }: PathStep & { lines?: number; request?: string }) =>
        step,
    )
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
};
