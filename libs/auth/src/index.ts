export * from './access.decorator';
export * from './access.guard';
export * from './auth.module';
export * from './roles';
export * from './sign-token';
export * from './token-config';
export * from './token-verifier';
export * from './auth-variables';
