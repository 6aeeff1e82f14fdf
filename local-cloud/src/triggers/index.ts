import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../lambda/invoker';
import { queueUrl } from '../topology/intrinsics';
import type { Topology } from '../topology/model';
import { lambdaLogicalId } from '../topology/stack';
import { parseSchedule, scheduledEvent } from './schedule';
import { pollQueue, type SqsSender } from './sqs';

export { inProcessSqs } from './in-process-sqs';
export { parseSchedule, ScheduleExpressionError, scheduledEvent } from './schedule';
export { pollQueue, receiptsToDelete, type SqsRecord, type SqsSender, toSqsRecord } from './sqs';

export interface TriggersOptions {
  topology: Topology;
  invoker: LambdaInvoker;
  /** The AWS edge, e.g. `http://127.0.0.1:4566`. */
  edgeUrl: string;
  region?: string;
  /** Defaults to an SDK client on the edge; the local cloud passes `inProcessSqs`, tests a mock. */
  sqs?: SqsSender;
  /** Concurrent batches per event source mapping (default 2, at most maximumConcurrency). */
  pollersPerSource?: number;
  /** Where trigger problems are reported (default stderr). */
  log?: (message: string) => void;
}

export interface Triggers {
  stop(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Lambda's side of the event sources: SQS event source mappings polled through
 * the edge, and the functions' schedules.
 */
export function startTriggers(options: TriggersOptions): Triggers {
  const { topology, invoker } = options;
  const region = options.region ?? topology.region;
  const log = options.log ?? ((message: string) => process.stderr.write(`[triggers] ${message}\n`));
  const controller = new AbortController();
  const ownClient =
    options.sqs === undefined
      ? new SQSClient({
          region,
          endpoint: options.edgeUrl,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        })
      : undefined;
  const sqs: SqsSender = options.sqs ?? (ownClient as SQSClient);

  const loops: Promise<void>[] = [];
  for (const source of topology.sqsEventSources) {
    if (!source.enabled) continue;
    const queue = topology.queues.find((candidate) => candidate.arn === source.queueArn);
    if (!queue) {
      log(`${source.functionKey}: no queue ${source.queueArn} in the topology`);
      continue;
    }
    const pollers = Math.max(
      1,
      Math.min(options.pollersPerSource ?? 2, source.maximumConcurrency ?? Infinity),
    );
    for (let i = 0; i < pollers; i += 1) {
      loops.push(
        pollQueue({
          source,
          queueUrl: queueUrl(options.edgeUrl, topology.accountId, queue.name),
          sqs,
          invoker,
          region,
          signal: controller.signal,
          log,
        }),
      );
    }
  }

  const timers = new Set<NodeJS.Timeout>();
  const perFunction = new Map<string, number>();
  for (const schedule of topology.schedules) {
    const fn = topology.functions.find((candidate) => candidate.key === schedule.functionKey);
    const index = (perFunction.get(schedule.functionKey) ?? 0) + 1;
    perFunction.set(schedule.functionKey, index);
    if (!schedule.enabled || !fn) continue;
    // CloudFormation names serverless' schedule rules `<stack>-<LogicalId>`; locally without the random suffix.
    const logicalId = `${lambdaLogicalId(fn.name).replace(/LambdaFunction$/, '')}EventsRuleSchedule${index}`;
    const ruleArn = `arn:aws:events:${region}:${topology.accountId}:rule/${fn.stack}-${topology.stage}-${logicalId}`;
    const expression = parseSchedule(schedule.expression);
    const arm = (after: Date) => {
      const due = expression.next(after);
      const wait = due.getTime() - Date.now();
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (controller.signal.aborted) return;
          if (wait > MAX_TIMER_MS) return arm(after);
          const event =
            schedule.input !== undefined
              ? schedule.input
              : scheduledEvent({
                  ruleArn,
                  region,
                  accountId: topology.accountId,
                  time: due,
                  id: randomUUID(),
                });
          void invoker.invoke(schedule.functionKey, event).then((result) => {
            if (!result.ok) {
              log(
                `${schedule.functionKey} (${schedule.expression}) failed: ${result.error.errorType}: ${result.error.errorMessage}`,
              );
            }
          });
          arm(due);
        },
        Math.max(0, Math.min(wait, MAX_TIMER_MS)),
      );
      timers.add(timer);
    };
    arm(new Date());
  }

  return {
    async stop() {
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(loops);
      ownClient?.destroy();
    },
  };
}
