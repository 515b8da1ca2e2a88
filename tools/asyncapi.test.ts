// docs/asyncapi.yaml is what outside clients build against: it must name every topic Fil
// uses, and every reference in it must lead somewhere.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
