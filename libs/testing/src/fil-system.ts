import { signToken, type Role } from '@fil/auth';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { waitFor } from './test-environment';

/** The four services and the env variable that sets each one's HTTP port. */
const SERVICES = {
  'order-orchestrator': 'ORDERS_PORT',
  inventory: 'INVENTORY_PORT',
  fulfillment: 'FULFILLMENT_PORT',
  returns: 'RETURNS_PORT',
} as const;
export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

const root = resolve(__dirname, '../../..');

interface Instance {
  service: ServiceName;
  port: number;
  child: ChildProcess;
}

/**
 * Runs the four services as real processes, exactly as `npm start` does, with
 * the test's topic and database prefixes, and stops them by their own pids.
 * A fault suite may kill one, start it again, or run a second instance beside it.
 */
export class FilSystem {
  /** By instance name: the service's own name, or `<service>#2` for a second instance. */
  private readonly instances = new Map<string, Instance>();
  private readonly ports = new Map<ServiceName, number>();
  private env: Record<string, string> = {};
  readonly output = new Map<string, string[]>();

  async start(env: Record<string, string> = {}): Promise<void> {
    this.env = env;
    for (const service of SERVICE_NAMES) this.ports.set(service, await freePort());
    for (const service of SERVICE_NAMES) this.spawn(service, service, this.ports.get(service)!);
    for (const service of SERVICE_NAMES) await this.waitHealthy(service);
  }

  url(service: ServiceName): string {
    return `http://127.0.0.1:${this.instance(service).port}`;
  }

  running(instance: string): boolean {
    const { child } = this.instance(instance);
    return child.exitCode === null && child.signalCode === null;
  }

  /** Sends `signal` to an instance (the service itself by default) and waits for it to exit. */
  async kill(instance: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await stopProcess(this.instance(instance).child, signal);
  }

  /** Starts a stopped service again on the same port, and waits until it is healthy. */
  async restart(service: ServiceName): Promise<void> {
    if (this.running(service)) throw new Error(`${service} is still running`);
    const { port } = this.instance(service);
    this.spawn(service, service, port);
    await this.waitHealthy(service);
  }

  /** A second instance of `service` on its own port, same database and consumer group; returns its name. */
  async startSecond(service: ServiceName): Promise<string> {
    const name = `${service}#2`;
    this.spawn(name, service, await freePort());
    await this.waitHealthy(name);
    return name;
  }

  /** The process id of a running instance, for reading its CPU time from /proc. */
  pid(instance: string): number {
    return this.instance(instance).child.pid!;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.instances.values()].map(({ child }) => stopProcess(child, 'SIGTERM')));
  }

  private instance(name: string): Instance {
    const found = this.instances.get(name);
    if (!found) throw new Error(`no instance ${name}`);
    return found;
  }

  private spawn(name: string, service: ServiceName, port: number): void {
    const ports = Object.fromEntries([...this.ports].map(([other, otherPort]) => [SERVICES[other], String(otherPort)]));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${service}/src/main.ts`], {
      cwd: root,
      env: { ...process.env, ...ports, ...this.env, [SERVICES[service]]: String(port), SWC_NODE_PROJECT: `${root}/tsconfig.json` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = this.output.get(name) ?? [];
    this.output.set(name, lines);
    child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    child.stderr!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    this.instances.set(name, { service, port, child });
  }

  private async waitHealthy(name: string): Promise<void> {
    const { port } = this.instance(name);
    await waitFor(
      async () => {
        if (!this.running(name)) {
          throw new Error(`${name} exited:\n${this.output.get(name)!.slice(-20).join('\n')}`);
        }
        return (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok;
      },
      // Each service compiles its TypeScript as it starts: with eight at once on two busy cores, the first log line came after 86 s.
      { timeoutMs: 240_000, intervalMs: 250, what: `${name} to be healthy` },
    );
  }
}

/** Stops a child by its own pid; a SIGTERM that is not honoured in 10 s becomes a SIGKILL. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill(signal);
  });
}

/** A TCP port free on loopback now, for a process the test starts. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * JSON over HTTP with the status kept, for readable assertions; `token` goes as the bearer token (an admin's by
 * default, none for null); `timeoutMs` aborts a request that a stalled service never answers.
 */
export async function http(method: string, url: string, body?: unknown, token: string | null = testToken('admin'), timeoutMs?: number): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: response.status, body: parsed };
}

/** A bearer token of `role` for tests (staff at `scope`, or a channel account for `scope`), signed with the test secret. */
export function testToken(role: Role, scope: string[] = []): string {
  return signToken({ sub: `test-${role}`, role, ...(role === 'staff' ? { locations: scope } : {}), ...(role === 'channel' ? { channels: scope } : {}) });
}

/** fetch options that act as an admin: for tests about something else than access. */
export const AS_ADMIN = { get headers() { return { authorization: `Bearer ${testToken('admin')}` }; } };
