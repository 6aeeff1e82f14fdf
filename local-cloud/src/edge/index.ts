export type { DynamoDbService } from '../dynamodb/dynamodb';
export type { DeliveryRecord, EventBridgeEmulator, EventEnvelope } from '../eventbridge/emulator';
export { compileEventPattern, InvalidEventPatternError, matchesEventPattern } from '../eventbridge/pattern';
export type { SqsService } from '../sqs/sqs';
export { type Edge, type EdgeOptions, startEdge } from './edge';
