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

const root = resolve(__dirname, '../../..');

/**
 * Runs the four services as real processes, exactly as `npm start` does, with
 * the test's topic and database prefixes, and stops them by their own pids.
 */
export class FilSystem {
  private readonly processes = new Map<ServiceName, ChildProcess>();
  private readonly ports = new Map<ServiceName, number>();
  readonly output = new Map<ServiceName, string[]>();

  async start(env: Record<string, string> = {}): Promise<void> {
    for (const service of Object.keys(SERVICES) as ServiceName[]) this.ports.set(service, await freePort());
    const portEnv = Object.fromEntries([...this.ports].map(([service, port]) => [SERVICES[service], String(port)]));
    for (const service of Object.keys(SERVICES) as ServiceName[]) {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${service}/src/main.ts`], {
        cwd: root,
        env: { ...process.env, ...portEnv, ...env, SWC_NODE_PROJECT: `${root}/tsconfig.json` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      this.output.set(service, lines);
      child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
      child.stderr!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
      this.processes.set(service, child);
    }
    for (const service of this.processes.keys()) {
      await waitFor(
        async () => {
          if (this.processes.get(service)!.exitCode !== null) {
            throw new Error(`${service} exited:\n${this.output.get(service)!.slice(-20).join('\n')}`);
          }
          return (await fetch(`${this.url(service)}/health`).catch(() => undefined))?.ok;
        },
        { timeoutMs: 90_000, intervalMs: 250, what: `${service} to be healthy` },
      );
    }
  }

  url(service: ServiceName): string {
    return `http://127.0.0.1:${this.ports.get(service)}`;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.processes.values()].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(killer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** JSON over HTTP with the status kept, for readable assertions; `token` goes as the bearer token (an admin's by default, none for null). */
export async function http(method: string, url: string, body?: unknown, token: string | null = testToken('admin')): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
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
