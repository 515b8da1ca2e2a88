export * from './platform.module';
export * from './health.controller';
export * from './run-service';
export * from './platform-variables';
export * from './sweeper';
export * from './near-point.query';
export * from './empty-body';
export * from './basket.query';
