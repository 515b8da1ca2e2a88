export * from './auth.module';
export * from './staff-token';
export * from './staff.decorator';
export * from './staff.guard';
