import { Logger } from '@nestjs/common';
import { GIVE_UP_AFTER, Sweeper, type DeadlineJob } from './sweeper';

/** Items `a`, `b` and `bad` are due; `bad` throws every time it is handled. */
function jobWithOneBadItem() {
  const handled: string[] = [];
  const attempts = new Map<string, number>();
  const gaveUp: [string, string][] = [];
  const job: DeadlineJob = {
    what: 'test sweep',
    due: async (limit, skip) => ['bad', 'a', 'b'].filter((id) => !skip.includes(id) && !handled.includes(id) && !gaveUp.some(([given]) => given === id)).slice(0, limit),
    handle: async (id) => {
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      if (id === 'bad') throw new Error('lines is not an array');
      handled.push(id);
      return true;
    },
    giveUp: async (id, reason) => {
      gaveUp.push([id, reason]);
    },
  };
  return { job, handled, attempts, gaveUp };
}

describe('Sweeper', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('handles the other items when one throws, and skips the failing one until its backoff is over', async () => {
    const { job, handled, attempts } = jobWithOneBadItem();
    const sweeper = new Sweeper(job, 100);
    await sweeper.sweep();
    expect(handled).toEqual(['a', 'b']);
    expect(sweeper.report()).toEqual({ what: 'test sweep', failing: [{ id: 'bad', failures: 1, reason: 'lines is not an array', stuck: false }] });
    await sweeper.sweep();
    expect(attempts.get('bad')).toBe(1);
    jest.advanceTimersByTime(200);
    await sweeper.sweep();
    expect(attempts.get('bad')).toBe(2);
    expect(Logger.prototype.warn).toHaveBeenCalledTimes(1);
  });

  it('gives an item up once, after it failed GIVE_UP_AFTER times in a row, and reports it stuck', async () => {
    const { job, attempts, gaveUp } = jobWithOneBadItem();
    const sweeper = new Sweeper(job, 100);
    for (let sweep = 0; sweep < 20; sweep += 1) {
      await sweeper.sweep();
      jest.advanceTimersByTime(100 * 2 ** GIVE_UP_AFTER);
    }
    expect(attempts.get('bad')).toBeGreaterThan(GIVE_UP_AFTER);
    expect(gaveUp).toEqual([['bad', `${GIVE_UP_AFTER} attempts, last: lines is not an array`]]);
    expect(sweeper.report().failing).toEqual([expect.objectContaining({ id: 'bad', stuck: true })]);
    expect(Logger.prototype.error).toHaveBeenCalledTimes(1);
  });

  it('forgets an item once it is handled, or no longer due', async () => {
    let broken = true;
    const job: DeadlineJob = {
      what: 'test sweep',
      due: async (_limit, skip) => (skip.includes('x') ? [] : ['x']),
      handle: async () => {
        if (broken) throw new Error('database away');
        return false;
      },
    };
    const sweeper = new Sweeper(job, 100);
    await sweeper.sweep();
    expect(sweeper.report().failing).toHaveLength(1);
    broken = false;
    jest.advanceTimersByTime(200);
    await sweeper.sweep();
    expect(sweeper.report().failing).toEqual([]);
  });
});
