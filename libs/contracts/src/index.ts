// class-transformer's @Type reads design-time metadata: load the polyfill with the DTOs.
import 'reflect-metadata';
export * from './topics';
export * from './order';
export * from './inventory';
export * from './fulfillment';
export * from './returns';
export * from './validation';
export * from './limits';
