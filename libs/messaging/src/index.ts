export * from './kafka';
export { kafkaConnectionOptions, topicPartitions } from './kafka-connection';
export * from './message';
export * from './dead-letter';
export * from './outbox';
export * from './outbox-relay';
export * from './parse-message';
// The relay's connection is its own; its name is public so that operators (and tests) can find it in pg_stat_activity.
export { RELAY_CONNECTION_NAME } from './relay-connection';
export * from './message-consumer';
export * from './messaging-migrations';
export * from './messaging.module';
export * from './messaging-variables';
export * from './dead-letter-queue';
export * from './topic-reader';
