// The production broker's ACLs come from scripts/broker-setup.ts: each service may write only
// the topics TOPIC_WRITERS gives it and read only what its code consumes, nothing more.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FIL_SERVICES, TOPIC_WRITERS, Topics, type FilService } from '@fil/contracts';
import { aclCommands, principal, setupScript, topicCommands } from '../scripts/broker-setup';

interface Grant {
  principal: string;
  operation: string;
  resource: string;
}

const flagValues = (line: string, flag: string) => [...line.matchAll(new RegExp(`--${flag} (\\S+)`, 'g'))].map((match) => match[1]);

function grantsIn(lines: string[]): Grant[] {
  return lines
    .filter((line) => line.startsWith('kafka-acls.sh '))
    .flatMap((line) => {
      const [who] = flagValues(line, 'allow-principal');
      const resources = [...flagValues(line, 'topic').map((t) => `topic:${t}`), ...flagValues(line, 'group').map((g) => `group:${g}`)];
      return flagValues(line, 'operation').flatMap((operation) => resources.map((resource) => ({ principal: who, operation, resource })));
    });
}

const grants = grantsIn(aclCommands());
const allowed = (who: string, operation: string, kind: 'topic' | 'group') =>
  grants
    .filter((grant) => grant.principal === who && grant.operation === operation && grant.resource.startsWith(`${kind}:`))
    .map((grant) => grant.resource.slice(kind.length + 1))
    .sort();
const writersOf = (topic: string) =>
  grants
    .filter((grant) => grant.operation === 'Write' && grant.resource === `topic:${topic}`)
    .map((grant) => grant.principal)
    .sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Each service's app folder: the orchestrator runs as `orders`. */
const appDir = (service: FilService) => join(__dirname, '..', 'apps', service === 'orders' ? 'order-orchestrator' : service, 'src');

/** What the app subscribes to, read from its `consumer.on(Topics.x, ...)` calls. */
function consumedInCode(service: FilService): string[] {
  const code = sourceFiles(appDir(service)).map((file) => readFileSync(file, 'utf8')).join('\n');
  const topics = [...code.matchAll(/consumer\.on\(\s*Topics\.(\w+)/g)].map((match) => Topics[match[1] as keyof typeof Topics]);
  expect(topics.length).toBe(code.split('consumer.on(').length - 1); // every registration was understood
  return [...new Set(topics)].sort();
}

function runtimeName(service: FilService): string {
  const definition = readFileSync(join(appDir(service), 'app.module.ts'), 'utf8');
  return /\bservice: '([\w-]+)'/.exec(definition)![1];
}

describe('broker ACLs (scripts/broker-setup.ts)', () => {
  it('lets each service write exactly the topics TOPIC_WRITERS gives it, and describe them', () => {
    for (const service of FIL_SERVICES) {
      const own = Object.values(Topics).filter((topic) => TOPIC_WRITERS[topic].includes(service));
      expect(allowed(principal(service), 'Write', 'topic')).toEqual([...own].sort());
      expect(allowed(principal(service), 'Describe', 'topic')).toEqual(expect.arrayContaining(own));
    }
  });

  it('leaves the channels’ inputs to them, except the adjustments returns and fulfillment send, and lets every service dead-letter', () => {
    expect(writersOf(Topics.ordersSubmitted)).toEqual([]);
    expect(writersOf(Topics.ordersCommands)).toEqual([]);
    expect(writersOf(Topics.returnsRequested)).toEqual([]);
    expect(writersOf(Topics.inventoryAdjustments)).toEqual(['User:fil-fulfillment', 'User:fil-returns']);
    expect(writersOf(Topics.dlq)).toEqual(FIL_SERVICES.map(principal).sort());
  });

  it('lets each service read what its code consumes, and its own consumer group', () => {
    for (const service of FIL_SERVICES) {
      const consumed = consumedInCode(service);
      expect(consumed.length).toBeGreaterThan(0);
      expect(allowed(principal(service), 'Read', 'topic')).toEqual(consumed);
      expect(allowed(principal(service), 'Read', 'group')).toEqual([`fil.${runtimeName(service)}`]);
    }
  });

  it('grants nothing else: no Create, Alter, Delete or All, no cluster, no wildcard or prefixed pattern', () => {
    expect(new Set(grants.map((grant) => grant.operation))).toEqual(new Set(['Write', 'Read', 'Describe']));
    expect(grants.filter((grant) => grant.resource.endsWith(':*'))).toEqual([]);
    const flags = new Set(aclCommands().flatMap((line) => [...line.matchAll(/ --([\w-]+)/g)].map((match) => match[1])));
    expect(flags).toEqual(new Set(['bootstrap-server', 'command-config', 'add', 'allow-principal', 'operation', 'topic', 'group']));
  });

  it('puts the deployment prefix on every topic and group it names', () => {
    const names = grantsIn(aclCommands('acme.')).map((grant) => grant.resource.replace(/^\w+:/, ''));
    expect(names.length).toBe(grants.length);
    expect(names.filter((name) => !name.startsWith('acme.fil.'))).toEqual([]);
  });

  it('creates every contract topic once, with the prefix, compacting the stock levels and locations', () => {
    const lines = topicCommands('acme.');
    expect(lines.flatMap((line) => flagValues(line, 'topic')).sort()).toEqual(Object.values(Topics).map((topic) => `acme.${topic}`).sort());
    const compacted = lines.filter((line) => line.includes('cleanup.policy=compact')).flatMap((line) => flagValues(line, 'topic'));
    expect(compacted.sort()).toEqual([`acme.${Topics.locations}`, `acme.${Topics.stockLevels}`]);
  });

  it('creates the topics with the PARTITIONS given to the script, FIL_KAFKA_PARTITIONS where it was generated by default', () => {
    expect(topicCommands().every((line) => line.includes('--partitions "$PARTITIONS"'))).toBe(true);
    expect(setupScript('', 24).split('\n')).toContain('PARTITIONS=${PARTITIONS:-24} REPLICATION_FACTOR=${REPLICATION_FACTOR:-3}');
    process.env.FIL_KAFKA_PARTITIONS = '7';
    expect(setupScript().split('\n')).toContain('PARTITIONS=${PARTITIONS:-7} REPLICATION_FACTOR=${REPLICATION_FACTOR:-3}');
    delete process.env.FIL_KAFKA_PARTITIONS;
  });

  it('prints a script bash accepts', () => {
    expect(() => execFileSync('bash', ['-n'], { input: setupScript('acme.') })).not.toThrow();
  });
});
