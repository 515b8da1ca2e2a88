import { loadConfiguration, setting } from './configuration';
import { flag, integer, oneOf, parsed, text, url } from './variable';

const TIMEOUT = integer('TEST_TIMEOUT_MS', { min: 1, max: 86_400_000, unit: 'milliseconds', fallback: 30_000 }, 'A step timeout.');
const LEVEL = oneOf('TEST_LEVEL', ['error', 'info'], 'info', 'A log level.');
const ENABLED = flag('TEST_ENABLED', true, 'A switch.');
const SECRET = text('TEST_SECRET', undefined, 'A secret.', { secret: true, pattern: /^.{32,}$/, accepts: 'at least 32 characters' });
const ENDPOINT = url('TEST_URL', ['http:', 'https:'], 'http://127.0.0.1:9411/', 'An endpoint.');
const JSON_OBJECT = parsed('TEST_JSON', 'a JSON object', '{}', 'Some JSON.', (raw) => JSON.parse(raw) as object);

describe('a variable', () => {
  it('reads its default when unset or empty, and the typed value otherwise', () => {
    expect([TIMEOUT.read({}), TIMEOUT.read({ TEST_TIMEOUT_MS: '' }), TIMEOUT.read({ TEST_TIMEOUT_MS: '1000' })]).toEqual([30_000, 30_000, 1000]);
    expect([ENABLED.read({}), ENABLED.read({ TEST_ENABLED: 'false' }), LEVEL.read({ TEST_LEVEL: 'error' })]).toEqual([true, false, 'error']);
    expect([JSON_OBJECT.read({}), JSON_OBJECT.read({ TEST_JSON: '{"a":1}' })]).toEqual([{}, { a: 1 }]);
    expect(TIMEOUT.fallback).toBe('30000');
    expect(SECRET.fallback).toBeUndefined();
  });

  it.each([
    ['not an integer', { TEST_TIMEOUT_MS: 'abc' }, TIMEOUT, "TEST_TIMEOUT_MS: 'abc' is not an integer from 1 to 86400000 (milliseconds)"],
    ['below its range', { TEST_TIMEOUT_MS: '0' }, TIMEOUT, "TEST_TIMEOUT_MS: '0' is not an integer from 1 to 86400000 (milliseconds)"],
    ['above its range', { TEST_TIMEOUT_MS: '86400001' }, TIMEOUT, "TEST_TIMEOUT_MS: '86400001' is not an integer"],
    ['a fraction', { TEST_TIMEOUT_MS: '1.5' }, TIMEOUT, "TEST_TIMEOUT_MS: '1.5' is not an integer"],
    ['negative', { TEST_TIMEOUT_MS: '-1' }, TIMEOUT, "TEST_TIMEOUT_MS: '-1' is not an integer"],
    ['not one of its values', { TEST_LEVEL: 'loud' }, LEVEL, "TEST_LEVEL: 'loud' is not one of error, info"],
    ['a flag other than true or false', { TEST_ENABLED: 'yes' }, ENABLED, "TEST_ENABLED: 'yes' is not true or false"],
    ['a URL of another protocol', { TEST_URL: 'ftp://host/' }, ENDPOINT, "TEST_URL: 'ftp://host/' is not a URL (http: or https:)"],
    ['not a URL', { TEST_URL: 'zipkin' }, ENDPOINT, "TEST_URL: 'zipkin' is not a URL"],
    ['what its parser refuses, with the reason', { TEST_JSON: '{' }, JSON_OBJECT, /^TEST_JSON: '\{' is not a JSON object \(.+\)$/],
  ])('refuses a value %s, naming the variable and what it accepts', (_case, env, variable, message) => {
    expect(() => variable.read(env)).toThrow(message);
  });

  it('never repeats the value of a secret', () => {
    expect(() => SECRET.read({ TEST_SECRET: 'hunter2' })).toThrow('TEST_SECRET: the value is not at least 32 characters');
    expect(() => SECRET.read({ TEST_SECRET: 'hunter2' })).not.toThrow(/hunter2/);
  });
});

describe('loadConfiguration', () => {
  const secretRequired = (env: Record<string, string | undefined>) => {
    if (env.TEST_ENV !== 'development' && !SECRET.read(env)) throw new Error('TEST_SECRET must be set outside development');
  };

  it('reports every bad variable and every failed check in one error', () => {
    const env = { TEST_TIMEOUT_MS: 'abc', TEST_LEVEL: 'loud', TEST_ENABLED: 'true' };
    expect(() => loadConfiguration([TIMEOUT, LEVEL, ENABLED], env, [secretRequired])).toThrow(
      "bad configuration: TEST_TIMEOUT_MS: 'abc' is not an integer from 1 to 86400000 (milliseconds); TEST_LEVEL: 'loud' is not one of error, info; TEST_SECRET must be set outside development",
    );
  });

  it('refuses a missing required value in production and accepts it in development', () => {
    expect(() => loadConfiguration([SECRET], {}, [secretRequired])).toThrow('TEST_SECRET must be set outside development');
    expect(() => loadConfiguration([SECRET], { TEST_ENV: 'development' }, [secretRequired])).not.toThrow();
  });

  it('reports a bad value once when a check reads it again', () => {
    const readsTimeout = (env: Record<string, string | undefined>) => TIMEOUT.read(env);
    expect(() => loadConfiguration([TIMEOUT], { TEST_TIMEOUT_MS: 'x' }, [readsTimeout])).toThrow(/^bad configuration: TEST_TIMEOUT_MS: 'x' is not an integer from 1 to 86400000 \(milliseconds\)$/);
  });

  it('keeps what the service started with: later changes to the environment are not read', () => {
    const POLL = integer('TEST_POLL_MS', { min: 1, max: 1000, fallback: 100 }, 'A poll.');
    process.env.TEST_POLL_MS = '250';
    expect(setting(POLL)).toBe(250);
    loadConfiguration([POLL], process.env);
    process.env.TEST_POLL_MS = '500';
    expect(setting(POLL)).toBe(250);
    delete process.env.TEST_POLL_MS;
  });

  it('keeps nothing of a configuration it refuses', () => {
    const BATCH = integer('TEST_BATCH', { min: 1, max: 10, fallback: 5 }, 'A batch.');
    expect(() => loadConfiguration([BATCH, TIMEOUT], { TEST_BATCH: '7', TEST_TIMEOUT_MS: 'x' })).toThrow();
    expect(setting(BATCH)).toBe(5);
  });
});
