export type { DynamoDbService } from '../dynamodb/dynamodb';
export type { DeliveryRecord } from '../eventbridge/delivery';
export type { EventBridgeEmulator } from '../eventbridge/emulator';
export type { EventEnvelope } from '../eventbridge/model';
export { compileEventPattern, InvalidEventPatternError, matchesEventPattern } from '../eventbridge/pattern';
export type { SqsService } from '../sqs/sqs';
export { type Edge, type EdgeOptions, startEdge } from './edge';
