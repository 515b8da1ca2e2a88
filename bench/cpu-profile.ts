import type { FilSystem, ServiceName } from '@fil/testing';

/** Node options that open each service's inspector on a free loopback port, for `InspectorProfiler`. */
export const INSPECTOR_OPTIONS = '--inspect=127.0.0.1:0';

/**
 * A CPU profile of one running service over a window of the run, taken through its
 * inspector (the same profile as `node --cpu-prof`, which can only cover a whole process).
 */
export class InspectorProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { done: (result: any) => void; fail: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const reply = JSON.parse(String(event.data));
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.error) waiting.fail(new Error(reply.error.message));
      else waiting.done(reply.result);
    });
  }

  /** Connects to `service`'s inspector, whose address the process printed when it started. */
  static async attach(system: FilSystem, service: ServiceName): Promise<InspectorProfiler> {
    const url = system.output.get(service)?.map((line) => /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
    if (!url) throw new Error(`${service} printed no inspector address: was it started with ${INSPECTOR_OPTIONS}?`);
    const socket = new WebSocket(url);
    await new Promise((opened, failed) => {
      socket.addEventListener('open', opened, { once: true });
      socket.addEventListener('error', () => failed(new Error(`cannot reach ${service}'s inspector at ${url}`)), { once: true });
    });
    const profiler = new InspectorProfiler(socket);
    await profiler.call('Profiler.enable');
    // Same sampling interval as --cpu-prof's default.
    await profiler.call('Profiler.setSamplingInterval', { interval: 1000 });
    return profiler;
  }

  start(): Promise<unknown> {
    return this.call('Profiler.start');
  }

  /** Stops sampling; the profile is the JSON of a .cpuprofile file. */
  async stop(): Promise<object> {
    const { profile } = await this.call('Profiler.stop');
    return profile;
  }

  close(): void {
    this.socket.close();
  }

  private call(method: string, params: object = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((done, fail) => {
      this.pending.set(id, { done, fail });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }
}
