export * from './kafka';
export * from './message';
export * from './outbox';
export * from './outbox-relay';
export * from './message-consumer';
export * from './messaging.migration';
export * from './messaging-dedupe-by-source.migration';
export * from './messaging.module';
