import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqsService, type SqsService } from './sqs';

/**
 * The characters SQS allows in a message body: #x9 | #xA | #xD | #x20 to #xD7FF |
 * #xE000 to #xFFFD | #x10000 to #x10FFFF; anything else is InvalidMessageContents.
 * fauxqs 2.4.1 tested bodies code unit by code unit, so every surrogate pair
 * (emoji, astral symbols) was refused; patches/fauxqs+2.4.1.patch makes the
 * check follow the code points, as SQS does.
 */
const accepted: Record<string, string> = {
  emoji: 'Congrats 🎉',
  'ZWJ sequence, skin tone and flags': '👩‍👩‍👧‍👦 👍🏽 🇫🇷🇯🇵 🏳️‍🌈',
  'astral symbols': '𝄞 𠜎 𓂀 𝔸',
  'the edges of the set': '\t\n\r \uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}',
  CJK: '漢字かなカナ한국어',
  'right to left': 'مرحبا بالعالم שלום עולם',
  'combining marks': 'e\u0301 n\u0303 Z\u0351\u0362a\u035Bl\u0322g\u0334o',
  'JSON-hostile': '"quoted" \\ back\\slash \u2028 \u2029 </script> {"a":1} \'',
};

const refused: Record<string, string> = {
  NUL: 'before \u0000 after',
  'another control character': 'bell \u0007',
  'a lone high surrogate': 'half \uD83C emoji',
  'a lone low surrogate': 'half \uDF89 emoji',
  'surrogates in the wrong order': '\uDF89\uD83C',
  'the non-characters U+FFFE and U+FFFF': '\uFFFE\uFFFF',
};

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

let service: SqsService;
let QueueUrl: string;
beforeEach(async () => {
  service = await createSqsService({ region: 'us-east-1', host: '127.0.0.1:4566' });
  await service.call('CreateQueue', { QueueName: 'characters' });
  QueueUrl = service.queueUrl('characters');
});
afterEach(async () => {
  await service.stop();
});

const receiveAll = async (): Promise<{ Body: string; MD5OfBody: string }[]> => {
  const received: { Body: string; MD5OfBody: string }[] = [];
  for (;;) {
    const { Messages = [] } = await service.call<{ Messages?: { Body: string; MD5OfBody: string }[] }>(
      'ReceiveMessage',
      { QueueUrl, MaxNumberOfMessages: 10 },
    );
    if (Messages.length === 0) return received;
    received.push(...Messages);
  }
};

describe('SQS message bodies: the characters SQS allows', () => {
  it.each(Object.entries(accepted))('keeps %s as sent', async (_kind, body) => {
    const sent = await service.call<{ MD5OfMessageBody: string }>('SendMessage', {
      QueueUrl,
      MessageBody: body,
    });
    // The SDK checks this digest of the UTF-8 bytes against its own.
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    expect(await receiveAll()).toEqual([expect.objectContaining({ Body: body, MD5OfBody: md5(body) })]);
  });

  it.each(Object.entries(refused))('refuses %s with InvalidMessageContents', async (_kind, body) => {
    await expect(service.call('SendMessage', { QueueUrl, MessageBody: body })).rejects.toMatchObject({
      code: 'InvalidMessageContents',
      status: 400,
    });
    expect(await receiveAll()).toEqual([]);
  });

  it('answers each entry of a batch on its own', async () => {
    const entries = [
      { Id: 'emoji', MessageBody: accepted.emoji },
      { Id: 'astral', MessageBody: accepted['astral symbols'] },
      { Id: 'nul', MessageBody: refused.NUL },
      { Id: 'lone', MessageBody: refused['a lone high surrogate'] },
    ];
    const answer = await service.call<{
      Successful: { Id: string; MD5OfMessageBody: string }[];
      Failed: { Id: string; Code: string; SenderFault: boolean }[];
    }>('SendMessageBatch', { QueueUrl, Entries: entries });

    expect(answer.Successful.map((entry) => entry.Id).sort()).toEqual(['astral', 'emoji']);
    expect(answer.Failed.map(({ Id, Code, SenderFault }) => ({ Id, Code, SenderFault }))).toEqual(
      expect.arrayContaining([
        { Id: 'nul', Code: 'InvalidMessageContents', SenderFault: true },
        { Id: 'lone', Code: 'InvalidMessageContents', SenderFault: true },
      ]),
    );
    expect(answer.Failed).toHaveLength(2);
    expect((await receiveAll()).map((message) => message.Body).sort()).toEqual(
      [accepted.emoji, accepted['astral symbols']].sort(),
    );
  });
});
