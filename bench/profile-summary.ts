// Where a CPU profile's time went: the functions and the packages with the most self time.
// The .cpuprofile itself opens as a flame graph in Chrome DevTools (Performance panel, "Load
// profile") or in speedscope. Alone: `node -r @swc-node/register bench/profile-summary.ts FILE [TOP]`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Self time in ms per function and per package, largest first; the total is the profile's span. */
export function summarizeProfile(profile: CpuProfile): { totalMs: number; functions: SelfTime[]; packages: SelfTime[] } {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the next delta.
  profile.samples.forEach((nodeId, i) => {
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const { callFrame } = byNode.get(nodeId)!;
    const where = callFrame.url ? ` ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const name = `${callFrame.functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const owner = packageOf(callFrame);
    packages.set(owner, (packages.get(owner) ?? 0) + micros);
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const ranked = (times: Map<string, number>) =>
    [...times].map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / 1000 / totalMs })).sort((a, b) => b.ms - a.ms);
  return { totalMs, functions: ranked(functions), packages: ranked(packages) };
}

/** The npm package a frame belongs to, Fil's own app or lib, Node's internals, or V8's pseudo-frames ((garbage collector), (idle)...). */
function packageOf({ url, functionName }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (modules.length) return modules[modules.length - 1][1];
  if (url.startsWith('node:')) return 'node (internals)';
  const fil = /\/((?:apps|libs)\/[^/]+)\//.exec(url);
  return fil ? `fil ${fil[1]}` : shortUrl(url);
}

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/((?:apps|libs|bench)\/)/, '$1');

/** The summary as two Markdown tables. */
export function profileTables(profile: CpuProfile, top = 15): string[] {
  const { totalMs, functions, packages } = summarizeProfile(profile);
  const rows = (times: SelfTime[]) => times.slice(0, top).map(({ name, ms, share }) => `| ${name.replace(/\|/g, '\\|')} | ${Math.round(ms)} | ${(share * 100).toFixed(1)} % |`);
  return [
    `Profile span: ${(totalMs / 1000).toFixed(1)} s.`,
    '',
    '| package | self ms | share |',
    '|---|---|---|',
    ...rows(packages),
    '',
    '| function | self ms | share |',
    '|---|---|---|',
    ...rows(functions),
  ];
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: bench/profile-summary.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(profileTables(JSON.parse(readFileSync(file, 'utf8')), Number(top ?? 15)).join('\n'));
}
