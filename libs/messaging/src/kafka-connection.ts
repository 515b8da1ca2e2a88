import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';

/** The environment variables that say where the brokers are and how to authenticate to them. */
export type KafkaEnv = Partial<Record<string, string>>;

export interface KafkaConnection {
  brokers: string[];
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

// SASL/PLAIN is left out on purpose: it sends the password itself over the connection.
const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512'] as const;

/**
 * Broker addresses, TLS and SASL/SCRAM from the environment; without any of it, the local
 * PLAINTEXT broker on loopback. Throws at start on a value that is wrong or half set.
 */
export function kafkaConnectionOptions(env: KafkaEnv): KafkaConnection {
  const read = (name: string) => {
    const path = env[name]!;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${name}: cannot read ${path} (${(error as Error).message})`);
    }
  };
  const connection: KafkaConnection = { brokers: brokers(env) };
  const ssl = envFlag(env, 'FIL_KAFKA_SSL', false);
  const tlsFiles = ['FIL_KAFKA_SSL_CA_FILE', 'FIL_KAFKA_SSL_CERT_FILE', 'FIL_KAFKA_SSL_KEY_FILE'].filter((name) => env[name]);
  if (!ssl && tlsFiles.length) throw new Error(`${tlsFiles[0]} is set but FIL_KAFKA_SSL is not true`);
  if (ssl) {
    if (Boolean(env.FIL_KAFKA_SSL_CERT_FILE) !== Boolean(env.FIL_KAFKA_SSL_KEY_FILE)) {
      throw new Error('FIL_KAFKA_SSL_CERT_FILE and FIL_KAFKA_SSL_KEY_FILE go together (the client certificate and its key, PEM)');
    }
    const options: ConnectionOptions = {};
    if (env.FIL_KAFKA_SSL_CA_FILE) options.ca = read('FIL_KAFKA_SSL_CA_FILE');
    if (env.FIL_KAFKA_SSL_CERT_FILE) {
      options.cert = read('FIL_KAFKA_SSL_CERT_FILE');
      options.key = read('FIL_KAFKA_SSL_KEY_FILE');
    }
    connection.ssl = Object.keys(options).length ? options : true;
  }
  const sasl = scram(env, read);
  if (sasl && !ssl) throw new Error('FIL_KAFKA_SASL_MECHANISM needs FIL_KAFKA_SSL=true: without TLS every message travels in clear');
  if (sasl) connection.sasl = sasl;
  return connection;
}

function brokers(env: KafkaEnv): string[] {
  const list = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
  const wrong = list.find((broker) => !/^[^\s:]+:\d+$/.test(broker));
  if (wrong !== undefined) throw new Error(`KAFKA_BROKERS: '${wrong}' is not host:port (a comma-separated list of host:port)`);
  return list;
}

/** Partitions of each topic a service creates: enough for a dozen instances of a service to share its load. */
const DEFAULT_PARTITIONS = 12;

/** `FIL_KAFKA_PARTITIONS`, an integer from 1 to 1000; unset or empty means DEFAULT_PARTITIONS, anything else throws. */
export function topicPartitions(env: KafkaEnv): number {
  const value = env.FIL_KAFKA_PARTITIONS;
  if (value === undefined || value === '') return DEFAULT_PARTITIONS;
  const partitions = Number(value);
  if (!/^\d+$/.test(value) || partitions < 1 || partitions > 1000) throw new Error(`FIL_KAFKA_PARTITIONS: '${value}' is not an integer from 1 to 1000`);
  return partitions;
}

/** A true/false variable; unset or empty means `fallback`, anything else throws. */
export function envFlag(env: KafkaEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${name}: '${value}' is neither true nor false`);
}

function scram(env: KafkaEnv, read: (name: string) => string): SASLOptions | undefined {
  const { FIL_KAFKA_SASL_MECHANISM: given, FIL_KAFKA_SASL_USERNAME: username } = env;
  const password = env.FIL_KAFKA_SASL_PASSWORD;
  const passwordFile = env.FIL_KAFKA_SASL_PASSWORD_FILE;
  if (!given) {
    const stray = ['FIL_KAFKA_SASL_USERNAME', 'FIL_KAFKA_SASL_PASSWORD', 'FIL_KAFKA_SASL_PASSWORD_FILE'].find((name) => env[name]);
    if (stray) throw new Error(`${stray} is set but FIL_KAFKA_SASL_MECHANISM is not (scram-sha-256 or scram-sha-512)`);
    return undefined;
  }
  const mechanism = SASL_MECHANISMS.find((known) => known === given.toLowerCase());
  if (!mechanism) throw new Error(`FIL_KAFKA_SASL_MECHANISM: '${given}' is not one of ${SASL_MECHANISMS.join(', ')}`);
  if (!username) throw new Error('FIL_KAFKA_SASL_USERNAME is required with FIL_KAFKA_SASL_MECHANISM');
  if (Boolean(password) === Boolean(passwordFile)) {
    throw new Error('FIL_KAFKA_SASL_USERNAME needs exactly one of FIL_KAFKA_SASL_PASSWORD or FIL_KAFKA_SASL_PASSWORD_FILE');
  }
  // Secret files usually end with a newline that is not part of the password.
  const secret = password ?? read('FIL_KAFKA_SASL_PASSWORD_FILE').replace(/\r?\n$/, '');
  if (!secret) throw new Error('FIL_KAFKA_SASL_PASSWORD_FILE: the file is empty');
  return { mechanism, username, password: secret };
}
