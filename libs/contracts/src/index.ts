export * from './topics';
export * from './order';
export * from './inventory';
export * from './fulfillment';
export * from './returns';
export * from './validation';
