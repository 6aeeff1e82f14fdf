/**
 * Function logs as a developer wants to read them: Powertools JSON lines become
 * `HH:MM:SS.mmm posts.createPost INFO message {extra keys}`, anything else is
 * passed through behind the same prefix. In `json` mode every line is one JSON
 * object carrying the function key, for tools like jq.
 */

export type LogFormat = 'pretty' | 'json';

/** `runtime` lines come from the local cloud itself (timeouts, crashes, reloads). */
export type LogStream = 'stdout' | 'stderr' | 'runtime';

export interface LogEntry {
  functionKey: string;
  stream: LogStream;
  /** The raw line as the function wrote it. */
  line: string;
  time: Date;
  /** Set when the line is a JSON object (Powertools and friends). */
  json?: Record<string, unknown>;
  level?: string;
  message?: string;
  /** The line as the chosen format renders it. */
  formatted: string;
}

export interface LogSink {
  write(functionKey: string, stream: LogStream, line: string): void;
}

export interface LogSinkOptions {
  format?: LogFormat;
  /** Receives every entry instead of the output stream. */
  onLog?: (entry: LogEntry) => void;
  output?: { write(text: string): unknown; isTTY?: boolean };
  color?: boolean;
}

// Keys every Powertools line carries; repeating them on each line is noise.
const QUIET_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'function_name',
  'function_memory_size',
  'function_arn',
  'function_request_id',
  'cold_start',
]);

const COLORS = {
  dim: '\u001b[2m',
  cyan: '\u001b[36m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  gray: '\u001b[90m',
  magenta: '\u001b[35m',
  reset: '\u001b[0m',
};

function levelColor(level: string): string {
  switch (level) {
    case 'ERROR':
    case 'CRITICAL':
      return COLORS.red;
    case 'WARN':
      return COLORS.yellow;
    case 'INFO':
      return COLORS.green;
    default:
      return COLORS.gray;
  }
}

function clock(time: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{') || !line.endsWith('}')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Turns one raw line into an entry, formatted as asked. */
export function toLogEntry(
  functionKey: string,
  stream: LogStream,
  line: string,
  options: { format: LogFormat; color: boolean; now?: Date },
): LogEntry {
  const json = parseJsonObject(line);
  const stamped = json && typeof json.timestamp === 'string' ? new Date(json.timestamp) : undefined;
  const time = stamped && !Number.isNaN(stamped.getTime()) ? stamped : (options.now ?? new Date());
  const entry: LogEntry = { functionKey, stream, line, time, formatted: '' };
  if (json) {
    entry.json = json;
    if (typeof json.level === 'string') entry.level = json.level.toUpperCase();
    if (json.message !== undefined) entry.message = String(json.message);
  }

  if (options.format === 'json') {
    // Keep the function's own bytes: splice the key in rather than re-serializing.
    const key = JSON.stringify(functionKey);
    entry.formatted = json
      ? line.length > 2
        ? `{"function":${key},${line.slice(1)}`
        : `{"function":${key}}`
      : JSON.stringify({ function: functionKey, stream, message: line, timestamp: time.toISOString() });
    return entry;
  }

  const paint = (color: string, text: string) => (options.color ? `${color}${text}${COLORS.reset}` : text);
  const prefix = `${paint(COLORS.dim, clock(time))} ${paint(COLORS.cyan, functionKey)}`;
  const metrics = json ? emfMetrics(json) : undefined;
  if (metrics) {
    entry.formatted = `${prefix} ${paint(COLORS.gray, 'METRIC')} ${metrics}`;
    return entry;
  }
  if (!json || (entry.level === undefined && entry.message === undefined)) {
    const body = stream === 'runtime' ? paint(COLORS.magenta, line) : line;
    entry.formatted = `${prefix} ${body}`;
    return entry;
  }
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) if (!QUIET_KEYS.has(key)) extra[key] = value;
  const level = entry.level ?? 'INFO';
  let text = `${prefix} ${paint(levelColor(level), level)} ${entry.message ?? ''}`;
  if (Object.keys(extra).length > 0) text += ` ${paint(COLORS.dim, JSON.stringify(extra))}`;
  const error = json.error;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { stack?: unknown }).stack === 'string'
  ) {
    text += `\n${(error as { stack: string }).stack.replace(/^/gm, '    ')}`;
  }
  entry.formatted = text;
  return entry;
}

/** `ColdStart=1 Count` for a CloudWatch embedded-metric-format line (Powertools Metrics), else undefined. */
function emfMetrics(json: Record<string, unknown>): string | undefined {
  const aws = json._aws as
    | { CloudWatchMetrics?: { Metrics?: { Name?: string; Unit?: string }[] }[] }
    | undefined;
  if (typeof aws !== 'object' || aws === null || !Array.isArray(aws.CloudWatchMetrics)) return undefined;
  const parts = aws.CloudWatchMetrics.flatMap((group) => group.Metrics ?? []).map(
    (metric) =>
      `${metric.Name}=${JSON.stringify(json[metric.Name ?? ''])}${metric.Unit ? ` ${metric.Unit}` : ''}`,
  );
  return parts.join(', ');
}

export function createLogSink(options: LogSinkOptions = {}): LogSink {
  const format = options.format ?? 'pretty';
  const output = options.output ?? process.stdout;
  const color = options.color ?? (format === 'pretty' && output.isTTY === true);
  return {
    write(functionKey, stream, line) {
      const entry = toLogEntry(functionKey, stream, line, { format, color });
      if (options.onLog) options.onLog(entry);
      else output.write(`${entry.formatted}\n`);
    },
  };
}

/** Splits a byte stream into lines, keeping a partial last line until more arrives. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).replace(/\r$/, '');
        pending = pending.slice(newline + 1);
        if (line.length > 0) onLine(line);
        newline = pending.indexOf('\n');
      }
    },
    flush() {
      if (pending.length > 0) onLine(pending);
      pending = '';
    },
  };
}
