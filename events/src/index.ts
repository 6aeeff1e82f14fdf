export * from './consumer';
export * from './contract';
export * from './contracts';
export * from './publisher';

/** The bus every service publishes to and subscribes on; found by name, derived from the stage. */
export const busName = (stage: string): string => `live-comments-${stage}`;
