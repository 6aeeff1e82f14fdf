export * from './consumer';
export * from './contract';
export * from './contracts';
export * from './publisher';
/** The WebSocket protocol's types; its builders and topic parser: `@live-comments/events/websocket`. */
export type * from './websocket';

/** The bus every service publishes to and subscribes on; found by name, derived from the stage. */
export const busName = (stage: string): string => `live-comments-${stage}`;
