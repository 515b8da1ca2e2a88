import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnectionOptions, topicPartitions, type KafkaEnv } from './kafka-connection';

const dir = mkdtempSync(join(tmpdir(), 'fil-kafka-connection-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const ca = file('ca.pem', 'CA PEM');
const cert = file('client.pem', 'CERT PEM');
const key = file('client.key', 'KEY PEM');
const passwordFile = file('password', 's3cret\n');
const missing = join(dir, 'absent.pem');

const scram: KafkaEnv = { FIL_KAFKA_SSL: 'true', FIL_KAFKA_SASL_MECHANISM: 'scram-sha-512', FIL_KAFKA_SASL_USERNAME: 'fil-inventory' };

describe('kafkaConnectionOptions', () => {
  it('connects to the local PLAINTEXT broker on loopback when nothing is set', () => {
    expect(kafkaConnectionOptions({})).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it('takes a comma-separated broker list', () => {
    expect(kafkaConnectionOptions({ KAFKA_BROKERS: 'b1.example:9094, b2.example:9094' }).brokers).toEqual(['b1.example:9094', 'b2.example:9094']);
  });

  it('uses TLS with the system CAs when only FIL_KAFKA_SSL is true', () => {
    expect(kafkaConnectionOptions({ FIL_KAFKA_SSL: 'true' }).ssl).toBe(true);
  });

  it('trusts the given CA and presents a client certificate for mTLS', () => {
    const env = { FIL_KAFKA_SSL: 'true', FIL_KAFKA_SSL_CA_FILE: ca, FIL_KAFKA_SSL_CERT_FILE: cert, FIL_KAFKA_SSL_KEY_FILE: key };
    expect(kafkaConnectionOptions(env).ssl).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
  });

  it('authenticates with SCRAM, the password given inline or read from a file without its final newline', () => {
    expect(kafkaConnectionOptions({ ...scram, FIL_KAFKA_SASL_PASSWORD: 'pw' }).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'fil-inventory',
      password: 'pw',
    });
    const fromFile = { ...scram, FIL_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', FIL_KAFKA_SASL_PASSWORD_FILE: passwordFile };
    expect(kafkaConnectionOptions(fromFile).sasl).toEqual({ mechanism: 'scram-sha-256', username: 'fil-inventory', password: 's3cret' });
  });

  it.each<[string, KafkaEnv, RegExp]>([
    ['a broker that is not host:port', { KAFKA_BROKERS: '127.0.0.1:9092,' }, /^KAFKA_BROKERS: '127.0.0.1:9092,' is not a comma-separated list of host:port \('' is not host:port\)/],
    ['FIL_KAFKA_SSL other than true or false', { FIL_KAFKA_SSL: 'yes' }, /^FIL_KAFKA_SSL: 'yes' is not true or false/],
    ['a CA file without TLS', { FIL_KAFKA_SSL_CA_FILE: ca }, /^FIL_KAFKA_SSL_CA_FILE is set but FIL_KAFKA_SSL is not true/],
    ['a CA file that is not there', { FIL_KAFKA_SSL: 'true', FIL_KAFKA_SSL_CA_FILE: missing }, /^FIL_KAFKA_SSL_CA_FILE: cannot read .*absent\.pem/],
    ['a client certificate without its key', { FIL_KAFKA_SSL: 'true', FIL_KAFKA_SSL_CERT_FILE: cert }, /FIL_KAFKA_SSL_CERT_FILE and FIL_KAFKA_SSL_KEY_FILE go together/],
    ['SASL/PLAIN', { ...scram, FIL_KAFKA_SASL_MECHANISM: 'plain', FIL_KAFKA_SASL_PASSWORD: 'pw' }, /^FIL_KAFKA_SASL_MECHANISM: 'plain' is not one of scram-sha-256, scram-sha-512/],
    ['a mechanism without a username', { FIL_KAFKA_SSL: 'true', FIL_KAFKA_SASL_MECHANISM: 'scram-sha-512' }, /^FIL_KAFKA_SASL_USERNAME is required/],
    ['a username without a password', scram, /needs exactly one of FIL_KAFKA_SASL_PASSWORD or FIL_KAFKA_SASL_PASSWORD_FILE/],
    ['both a password and a password file', { ...scram, FIL_KAFKA_SASL_PASSWORD: 'pw', FIL_KAFKA_SASL_PASSWORD_FILE: passwordFile }, /needs exactly one of/],
    ['a password file that is not there', { ...scram, FIL_KAFKA_SASL_PASSWORD_FILE: missing }, /^FIL_KAFKA_SASL_PASSWORD_FILE: cannot read/],
    ['a username without a mechanism', { FIL_KAFKA_SASL_USERNAME: 'fil-inventory' }, /^FIL_KAFKA_SASL_USERNAME is set but FIL_KAFKA_SASL_MECHANISM is not/],
    ['SCRAM without TLS', { ...scram, FIL_KAFKA_SSL: 'false', FIL_KAFKA_SASL_PASSWORD: 'pw' }, /^FIL_KAFKA_SASL_MECHANISM needs FIL_KAFKA_SSL=true/],
  ])('refuses %s, naming the variable', (_case, env, message) => {
    expect(() => kafkaConnectionOptions(env)).toThrow(message);
  });
});

describe('topicPartitions', () => {
  it('is 12 when FIL_KAFKA_PARTITIONS is unset or empty, and reads 1 to 1000', () => {
    expect([topicPartitions({}), topicPartitions({ FIL_KAFKA_PARTITIONS: '' })]).toEqual([12, 12]);
    expect([1, 4, 1000].map((n) => topicPartitions({ FIL_KAFKA_PARTITIONS: String(n) }))).toEqual([1, 4, 1000]);
  });

  it.each(['0', '1001', '-3', '2.5', '12abc', ' 12', '1e2', 'twelve'])("refuses '%s', naming the variable", (value) => {
    expect(() => topicPartitions({ FIL_KAFKA_PARTITIONS: value })).toThrow(`FIL_KAFKA_PARTITIONS: '${value}' is not an integer from 1 to 1000`);
  });
});
