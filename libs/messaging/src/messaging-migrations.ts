import { messagingDedupeBySourceMigration } from './messaging-dedupe-by-source.migration';
import { messagingFailuresMigration } from './messaging-failures.migration';
import { messagingMigration } from './messaging.migration';
import { messagingNotifyMigration } from './messaging-notify.migration';
import { messagingResendMigration } from './messaging-resend.migration';

/** The messaging tables' migrations, in order: each service runs them before its own. */
export const messagingMigrations = [messagingMigration, messagingDedupeBySourceMigration, messagingFailuresMigration, messagingNotifyMigration, messagingResendMigration];
