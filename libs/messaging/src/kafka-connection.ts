import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { Variable } from '@fil/config';
import {
  KAFKA_BROKERS,
  KAFKA_PARTITIONS,
  KAFKA_SASL_MECHANISM,
  KAFKA_SASL_PASSWORD,
  KAFKA_SASL_PASSWORD_FILE,
  KAFKA_SASL_USERNAME,
  KAFKA_SSL,
  KAFKA_SSL_CA_FILE,
  KAFKA_SSL_CERT_FILE,
  KAFKA_SSL_KEY_FILE,
} from './messaging-variables';

/** The environment variables that say where the brokers are and how to authenticate to them. */
export type KafkaEnv = Partial<Record<string, string>>;

export interface KafkaConnection {
  brokers: string[];
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

/**
 * Broker addresses, TLS and SASL/SCRAM from the environment; without any of it, the local
 * PLAINTEXT broker on loopback. Throws at start on a value that is wrong or half set.
 */
export function kafkaConnectionOptions(env: KafkaEnv): KafkaConnection {
  const read = ({ name }: Variable<string | undefined>) => {
    const path = env[name]!;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${name}: cannot read ${path} (${(error as Error).message})`);
    }
  };
  const connection: KafkaConnection = { brokers: KAFKA_BROKERS.read(env) };
  const ssl = KAFKA_SSL.read(env);
  const tlsFiles = [KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE].filter((file) => file.read(env));
  if (!ssl && tlsFiles.length) throw new Error(`${tlsFiles[0].name} is set but FIL_KAFKA_SSL is not true`);
  if (ssl) {
    if (Boolean(KAFKA_SSL_CERT_FILE.read(env)) !== Boolean(KAFKA_SSL_KEY_FILE.read(env))) {
      throw new Error('FIL_KAFKA_SSL_CERT_FILE and FIL_KAFKA_SSL_KEY_FILE go together (the client certificate and its key, PEM)');
    }
    const options: ConnectionOptions = {};
    if (KAFKA_SSL_CA_FILE.read(env)) options.ca = read(KAFKA_SSL_CA_FILE);
    if (KAFKA_SSL_CERT_FILE.read(env)) {
      options.cert = read(KAFKA_SSL_CERT_FILE);
      options.key = read(KAFKA_SSL_KEY_FILE);
    }
    connection.ssl = Object.keys(options).length ? options : true;
  }
  const sasl = scram(env, read);
  if (sasl && !ssl) throw new Error('FIL_KAFKA_SASL_MECHANISM needs FIL_KAFKA_SSL=true: without TLS every message travels in clear');
  if (sasl) connection.sasl = sasl;
  return connection;
}

/** Partitions of each topic a service creates (12 by default: enough for a dozen instances of a service to share its load). */
export function topicPartitions(env: KafkaEnv): number {
  return KAFKA_PARTITIONS.read(env);
}

function scram(env: KafkaEnv, read: (file: Variable<string | undefined>) => string): SASLOptions | undefined {
  const mechanism = KAFKA_SASL_MECHANISM.read(env);
  const username = KAFKA_SASL_USERNAME.read(env);
  const password = KAFKA_SASL_PASSWORD.read(env);
  const passwordFile = KAFKA_SASL_PASSWORD_FILE.read(env);
  if (!mechanism) {
    const stray = [KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_PASSWORD_FILE].find((variable) => variable.read(env));
    if (stray) throw new Error(`${stray.name} is set but FIL_KAFKA_SASL_MECHANISM is not (scram-sha-256 or scram-sha-512)`);
    return undefined;
  }
  if (!username) throw new Error('FIL_KAFKA_SASL_USERNAME is required with FIL_KAFKA_SASL_MECHANISM');
  if (Boolean(password) === Boolean(passwordFile)) {
    throw new Error('FIL_KAFKA_SASL_USERNAME needs exactly one of FIL_KAFKA_SASL_PASSWORD or FIL_KAFKA_SASL_PASSWORD_FILE');
  }
  // Secret files usually end with a newline that is not part of the password.
  const secret = password ?? read(KAFKA_SASL_PASSWORD_FILE).replace(/\r?\n$/, '');
  if (!secret) throw new Error('FIL_KAFKA_SASL_PASSWORD_FILE: the file is empty');
  return { mechanism, username, password: secret };
}
