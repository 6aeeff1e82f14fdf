import { afterEach, describe, expect, it } from 'vitest';
import { createSqsService, SqsCallError, type SqsService } from './sqs';

let service: SqsService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

describe('SQS service', () => {
  it('answers with queue URLs on the host the client called', async () => {
    service = await createSqsService({ region: 'us-east-1', host: '127.0.0.1:4566' });
    const created = await service.call<{ QueueUrl: string }>('CreateQueue', { QueueName: 'orders' });
    expect(created.QueueUrl).toBe('http://127.0.0.1:4566/000000000000/orders');
    const response = await service.handle({
      method: 'POST',
      url: '/',
      headers: {
        host: 'localhost:9999',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.ListQueues',
      },
      body: Buffer.from('{}'),
    });
    expect(JSON.parse(response.body.toString())).toEqual({
      QueueUrls: ['http://localhost:9999/000000000000/orders'],
    });
  });

  it('finds a queue by an edge URL and keeps the message until it is deleted', async () => {
    service = await createSqsService({ region: 'us-east-1', host: '127.0.0.1:4566' });
    await service.call('CreateQueue', { QueueName: 'jobs', Attributes: { VisibilityTimeout: '0' } });
    const QueueUrl = service.queueUrl('jobs');
    await service.call('SendMessage', { QueueUrl, MessageBody: 'hello' });
    const first = await service.call<{ Messages: { Body: string; ReceiptHandle: string }[] }>(
      'ReceiveMessage',
      {
        QueueUrl,
      },
    );
    expect(first.Messages.map((message) => message.Body)).toEqual(['hello']);
    await service.call('DeleteMessage', { QueueUrl, ReceiptHandle: first.Messages[0]?.ReceiptHandle });
    const second = await service.call<{ Messages?: unknown[] }>('ReceiveMessage', { QueueUrl });
    expect(second.Messages ?? []).toEqual([]);
  });

  it('raises SQS errors with their short code', async () => {
    service = await createSqsService({ region: 'us-east-1', host: '127.0.0.1:4566' });
    await expect(service.call('GetQueueUrl', { QueueName: 'nope' })).rejects.toEqual(
      expect.objectContaining({ code: 'QueueDoesNotExist', status: 400 }),
    );
    await expect(service.call('GetQueueUrl', { QueueName: 'nope' })).rejects.toBeInstanceOf(SqsCallError);
  });
});
