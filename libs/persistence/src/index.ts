export * from './database';
export * from './orm-options';
export * from './batch-rows';
export * from './persistence-variables';
export * from './bound-sql';
