import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(__dirname, '..');
const run = promisify(execFile);

/**
 * The fault suite's own Kafka broker: the same jars and script as the shared one
 * (scripts/infra.sh), on other ports and with its own data under .local/chaos/, so
 * that killing it never disturbs anyone else's tests. Stopped by its own pid.
 */
export class ChaosBroker {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly controllerPort: number,
  ) {}

  /** Takes the first pair of free ports from 29092/29093 up (below the ephemeral range, so no client socket takes them while the broker is down). */
  static async create(name: string): Promise<ChaosBroker> {
    for (let port = 29092; port < 29192; port += 2) {
      if (!(await listening(port)) && !(await listening(port + 1))) return new ChaosBroker(resolve(root, '.local/chaos', name), port, port + 1);
    }
    throw new Error('no free pair of ports for the chaos broker between 29092 and 29191');
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker (or starts it again on its data after a kill) and waits until it serves. */
  async up(): Promise<void> {
    // The broker's log goes with its directory when the suite cleans up: its last lines go with the error.
    await this.infra('up', 'kafka').catch((error: Error) => {
      throw new Error(`${error.message}\nlast lines of ${this.dir}/logs/kafka.log:\n${this.logTail()}`);
    });
    // infra.sh leaves a port alone when something else answers on it: make sure the broker is ours.
    if (!this.pid()) throw new Error(`the chaos broker on ${this.address} did not start; last lines of ${this.dir}/logs/kafka.log:\n${this.logTail()}`);
  }

  private logTail(): string {
    try {
      return readFileSync(`${this.dir}/logs/kafka.log`, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
    } catch {
      return '(none written)';
    }
  }

  /** The broker's pid when it runs under our pid file. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(`${this.dir}/pids/kafka.pid`, 'utf8'));
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return command.includes('kafka.Kafka') && command.includes(this.dir) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** `kill -9` of the broker; returns once the process is gone. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (!pid) throw new Error('the chaos broker is not running');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && this.pid(); i += 1) await new Promise((done) => setTimeout(done, 100));
  }

  /** Stops the broker by its pid and removes its data. */
  async remove(): Promise<void> {
    if (this.pid()) await this.infra('down', 'kafka');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async infra(...args: string[]): Promise<void> {
    const env = { ...process.env, FIL_INFRA_STATE: this.dir, FIL_KAFKA_PORT: String(this.port), FIL_KAFKA_CONTROLLER_PORT: String(this.controllerPort) };
    await run('bash', [`${root}/scripts/infra.sh`, ...args], { env, cwd: root, timeout: 180_000 });
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
