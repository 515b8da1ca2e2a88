/**
 * An error as a log line may carry it. A database error's message quotes the SQL, its
 * parameters and the offending row (customers' names, emails, addresses), so only its
 * kind, SQLSTATE and the table, column or constraint are kept.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const database = error as Error & { code?: unknown; severity?: unknown; table?: string; column?: string; constraint?: string };
  if (typeof database.code !== 'string' || !/^[0-9A-Z]{5}$/.test(database.code) || database.severity === undefined) return error.message;
  const where = [database.table && `table ${database.table}`, database.column && `column ${database.column}`, database.constraint && `constraint ${database.constraint}`];
  return [`${error.name} (SQLSTATE ${database.code})`, ...where.filter(Boolean)].join(', ');
}

/** Whether `describeError` had to hide the message: then the stack, which repeats it, goes too. */
export const isDatabaseError = (error: unknown) => error instanceof Error && describeError(error) !== error.message;
