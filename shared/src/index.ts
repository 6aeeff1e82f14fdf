export * from './clients';
export * from './config';
export * from './consumer';
export * from './correlation';
export * from './errors';
export * from './http';
export * from './pagination';
export * from './powertools';
