import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ), 100 on every Linux Fil runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, user and system, in ms, from /proc/<pid>/stat; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  const stat = readStat(pid);
  if (!stat) return 0;
  // The command name, in parentheses, may hold spaces: the fields are counted after it.
  const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** The pids of the processes whose command name is `comm` (e.g. every PostgreSQL backend of the server). */
export const pidsNamed = (comm: string): number[] => everyPid().filter((pid) => readStat(pid)?.includes(`(${comm})`));

/** The pids of the processes whose command line holds `part` (e.g. a JVM's main class). */
export const pidsRunning = (part: string): number[] => everyPid().filter((pid) => readProc(pid, 'cmdline')?.replaceAll('\0', ' ').includes(part));

const everyPid = () =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

const readStat = (pid: number) => readProc(pid, 'stat');

/** A file of /proc/<pid>, or undefined once the process is gone. */
function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The CPU time each group of processes uses between `start` and `stop`. A group's pids are
 * listed at `start`: a process that ends before `stop` counts for nothing, one started after is missed.
 */
export class CpuWindow {
  private readonly before = new Map<string, { pids: number[]; ms: number }>();

  constructor(private readonly groups: Map<string, () => number[]>) {}

  start(): void {
    for (const [name, pidsOf] of this.groups) {
      const pids = pidsOf();
      this.before.set(name, { pids, ms: total(pids) });
    }
  }

  /** `ms` is undefined for a group none of whose processes was found at `start`. */
  stop(): { name: string; ms?: number }[] {
    return [...this.before].map(([name, { pids, ms }]) => ({ name, ms: pids.length ? total(pids) - ms : undefined }));
  }
}

const total = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
