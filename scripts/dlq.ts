/**
 * `npm run dlq`: inspect and redrive dead letters, on AWS or the local cloud.
 *
 *   npm run dlq                                  the dead-letter queues, their counts and sources
 *   npm run dlq -- show <queue> [--max 10]       what is in one (left in place)
 *   npm run dlq -- redrive <queue> [--to <queue>] [--max N]
 *                                                move them back once the cause is fixed
 *
 * Options: --local (the local cloud's edge, http://localhost:4566 or
 * LC_EDGE_PORT), --prefix <name prefix> (e.g. the stage, `prod-`), --json.
 * On AWS the SDK's usual credentials and region apply (AWS_PROFILE,
 * AWS_REGION); AWS_ENDPOINT_URL is honoured too.
 */
import { parseArgs } from 'node:util';
import { applyStageEnv, StageEnvError } from '../local-cloud/src/stage-env';
import {
  clientsFor,
  type DeadLetter,
  type DeadLetterQueue,
  type DeadLetterSource,
  findDeadLetterQueues,
  peekDeadLetters,
  pickDeadLetterQueue,
  RedriveError,
  redriveQueue,
} from './dead-letters/dead-letters';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    local: { type: 'boolean', default: false },
    prefix: { type: 'string' },
    max: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const USAGE = `usage: npm run dlq -- [list | show <queue> | redrive <queue>] [--to <queue>] [--max N] [--prefix P] [--local] [--json]`;

const say = (line = '') => process.stdout.write(`${line}\n`);

const sourceText = (source: DeadLetterSource) =>
  source.kind === 'queue'
    ? `queue ${source.queueArn.split(':').at(-1)} (after ${source.maxReceiveCount ?? '?'} receives)`
    : `rule ${source.ruleArn.split('/').at(-1)} on ${source.busName} -> ${source.targetArn.split(':').at(-1)}`;

const letterText = (letter: DeadLetter) => {
  const lines = [
    `- ${letter.messageId}  received ${letter.receiveCount}x${letter.sentAt ? `, sent ${letter.sentAt}` : ''}`,
  ];
  if (letter.event) {
    const { type, eventId, correlationId, occurredAt, detail } = letter.event;
    lines.push(
      `  ${type}${detail ? ` ${detail}` : ''}${eventId ? `  event ${eventId}` : ''}` +
        `${correlationId ? `  correlation ${correlationId}` : ''}${occurredAt ? `  at ${occurredAt}` : ''}`,
    );
  }
  if (letter.error) {
    lines.push(
      `  ${letter.error.code ?? 'error'}: ${letter.error.message ?? ''}` +
        `${letter.error.retryAttempts ? ` (after ${letter.error.retryAttempts} retries)` : ''}`,
    );
  }
  if (!letter.event)
    lines.push(`  body: ${letter.body.length > 300 ? `${letter.body.slice(0, 300)}...` : letter.body}`);
  return lines.join('\n');
};

const maxOf = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const max = Number(raw);
  if (!Number.isInteger(max) || max < 1)
    throw new RedriveError(`--max wants a positive whole number, not ${raw}.`);
  return max;
};

const main = async () => {
  if (values.help) {
    say(USAGE);
    return;
  }
  const [command = 'list', queueName] = positionals;
  // The local cloud's edge port may come from .env or .env.local, as npm start reads it.
  if (values.local) applyStageEnv('local');
  const endpoint = values.local ? `http://localhost:${process.env.LC_EDGE_PORT ?? 4566}` : undefined;
  if (values.local) {
    // The local edge accepts any credentials; do not make an operator configure some.
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  }
  const clients = clientsFor({
    ...(endpoint ? { endpoint } : {}),
    ...(values.local ? { region: process.env.AWS_REGION ?? 'us-east-1' } : {}),
  });
  const findQueues = () => findDeadLetterQueues(clients, values.prefix ? { prefix: values.prefix } : {});
  const needQueue = async (): Promise<DeadLetterQueue> => {
    if (!queueName) throw new RedriveError(`${command} needs a queue.\n${USAGE}`);
    return pickDeadLetterQueue(await findQueues(), queueName);
  };

  switch (command) {
    case 'list': {
      const queues = await findQueues();
      if (values.json) return say(JSON.stringify(queues, null, 2));
      if (queues.length === 0) return say('No dead-letter queues found.');
      for (const queue of queues) {
        say(
          `${queue.name}: ${queue.waiting} waiting${queue.inFlight ? `, ${queue.inFlight} in flight` : ''}`,
        );
        for (const source of queue.sources) say(`  from ${sourceText(source)}`);
      }
      return;
    }
    case 'show': {
      const queue = await needQueue();
      const letters = await peekDeadLetters(clients.sqs, queue.url, maxOf(values.max) ?? 10);
      if (values.json) return say(JSON.stringify(letters, null, 2));
      say(`${queue.name}: ${queue.waiting} waiting; showing ${letters.length} (left in the queue)`);
      for (const letter of letters) say(letterText(letter));
      return;
    }
    case 'redrive': {
      if (!queueName) throw new RedriveError(`${command} needs a queue.\n${USAGE}`);
      const max = maxOf(values.max);
      const result = await redriveQueue(clients, queueName, {
        ...(values.prefix ? { prefix: values.prefix } : {}),
        ...(values.to ? { toArn: values.to } : {}),
        ...(max ? { max } : {}),
        onMessage: (letter, outcome) => {
          if (!values.json)
            say(`${outcome === 'moved' ? 'moved ' : `kept (${outcome.failed})`} ${letter.messageId}`);
        },
      });
      if (values.json) {
        const { queue: _queue, ...figures } = result;
        return say(JSON.stringify(figures));
      }
      say(
        `${result.moved} moved to ${result.destinationUrl}, ${result.failed} left in ${result.queue.name}.`,
      );
      if (result.failed > 0) process.exitCode = 1;
      return;
    }
    default:
      throw new RedriveError(`Unknown command ${command}.\n${USAGE}`);
  }
};

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof RedriveError || error instanceof StageEnvError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exitCode = 1;
});
