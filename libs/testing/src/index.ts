export * from './test-environment';
export * from './kafka-probe';
export * from './start-service';
export * from './fil-system';
export * from './cloud-event-headers';
export * from './settled';
export * from './messaging-database';
export * from './run-topics';
