export * from './tracing';
export * from './trace-context';
export * from './json-logger';
