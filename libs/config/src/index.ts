export * from './variable';
export * from './configuration';
