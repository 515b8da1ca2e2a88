// docs/asyncapi.yaml is what outside clients build against: it must name every topic Fil
// uses, and every reference in it must lead somewhere.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { Topics } from '@fil/contracts';

const document = parse(readFileSync(join(__dirname, '..', 'docs', 'asyncapi.yaml'), 'utf8'));

function references(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(references);
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : references(value)));
  }
  return [];
}

// What `asyncapi validate` runs. In a process of its own: Jest cannot load the parser's ruleset.
// The workspace's ajv is the parser's version (8.20): with another one hoisted, its ajv-errors
// plugin and spectral's ajv disagree and validation throws a SyntaxError.
const VALIDATE = `
  const { Parser } = require('@asyncapi/parser');
  new Parser().validate(require('node:fs').readFileSync(process.argv[1], 'utf8')).then((diagnostics) => {
    process.stdout.write(JSON.stringify(diagnostics.map(({ severity, code, message, path }) => ({ severity, code, message, at: path.join('/') }))));
  });
`;

/** Spectral's severities, as the parser reports them. */
const SEVERITY = ['error', 'warning', 'information', 'hint'];

const resolve = (ref: string) => ref.replace(/^#\//, '').split('/').reduce<any>((node, part) => node?.[part], document);

describe('docs/asyncapi.yaml', () => {
  it('is an AsyncAPI 3 document with one channel per topic Fil uses, and no other', () => {
    expect(document.asyncapi).toBe('3.0.0');
    const addresses = Object.values(document.channels as Record<string, { address: string }>).map((channel) => channel.address);
    expect(addresses.sort()).toEqual(Object.values(Topics).sort());
  });

  it('resolves every $ref', () => {
    const unresolved = references(document).filter((ref) => resolve(ref) === undefined);
    expect(unresolved).toEqual([]);
  });

  it('gives every channel at least one message with a payload, and every operation a channel', () => {
    for (const channel of Object.values<any>(document.channels)) {
      const messages = Object.values<any>(channel.messages ?? {}).map((message) => resolve(message.$ref));
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) expect(message.payload).toBeDefined();
    }
    for (const operation of Object.values<any>(document.operations)) expect(resolve(operation.channel.$ref)).toBeDefined();
  });

  // The parser takes seconds, more on a busy machine than Jest's default 5.
  it('passes the AsyncAPI parser\'s validation without an error (warnings printed)', async () => {
    const file = join(__dirname, '..', 'docs', 'asyncapi.yaml');
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', VALIDATE, file], { cwd: join(__dirname, '..') });
    const diagnostics: { severity: number; code: string; message: string; at: string }[] = JSON.parse(stdout);
    const listed = (severity: number) => diagnostics.filter((d) => d.severity === severity).map(({ code, message, at }) => `${code} at ${at || '/'}: ${message}`);
    const notes = [1, 2, 3].flatMap((severity) => listed(severity).map((line) => `${SEVERITY[severity]}: ${line}`));
    if (notes.length) console.warn(`docs/asyncapi.yaml: ${notes.length} diagnostics below error\n${notes.join('\n')}`);
    expect(listed(0)).toEqual([]);
  }, 30_000);
});
