export * from './tracing';
export * from './trace-context';
export * from './json-logger';
export * from './describe-error';
export * from './metrics';
export * from './observability-variables';
