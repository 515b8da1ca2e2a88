import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ), 100 on every Linux Fil runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, user and system, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: the fields are counted after it.
  const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** The CPU time each process uses between `start` and `stop`. */
export class CpuWindow {
  private readonly before = new Map<string, number>();

  constructor(private readonly pids: Map<string, number>) {}

  start(): void {
    for (const [name, pid] of this.pids) this.before.set(name, processCpuMs(pid));
  }

  stop(): { name: string; ms: number }[] {
    return [...this.pids].map(([name, pid]) => ({ name, ms: processCpuMs(pid) - this.before.get(name)! }));
  }
}
