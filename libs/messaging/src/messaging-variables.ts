import { filePath, flag, integer, oneOf, parsed, text } from '@fil/config';

function brokerList(raw: string): string[] {
  const list = raw.split(',').map((broker) => broker.trim());
  const wrong = list.find((broker) => !/^[^\s:]+:\d+$/.test(broker));
  if (wrong !== undefined) throw new Error(`'${wrong}' is not host:port`);
  return list;
}

export const KAFKA_BROKERS = parsed('KAFKA_BROKERS', 'a comma-separated list of host:port', '127.0.0.1:9092', 'The Kafka brokers to bootstrap from.', brokerList);
export const TOPIC_PREFIX = text('FIL_TOPIC_PREFIX', '', 'Put before every topic and consumer group name, so several deployments or test runs share one cluster.', {
  pattern: /^[A-Za-z0-9._-]{0,100}$/,
  accepts: "up to 100 letters, digits, '.', '_' or '-'",
});
export const KAFKA_PARTITIONS = integer('FIL_KAFKA_PARTITIONS', { min: 1, max: 1000, fallback: 12 }, 'Partitions of each topic a service creates (an existing topic is never grown).');
export const KAFKA_CREATE_TOPICS = flag('FIL_KAFKA_CREATE_TOPICS', true, 'false where the operator creates the topics and services hold no Create ACL.');
export const KAFKA_SSL = flag('FIL_KAFKA_SSL', false, 'true connects to the brokers over TLS (the system CAs unless FIL_KAFKA_SSL_CA_FILE).');
export const KAFKA_SSL_CA_FILE = filePath('FIL_KAFKA_SSL_CA_FILE', 'The CA that signed the brokers\' certificates (PEM); needs FIL_KAFKA_SSL=true.');
export const KAFKA_SSL_CERT_FILE = filePath('FIL_KAFKA_SSL_CERT_FILE', 'The client certificate for mutual TLS (PEM); goes with FIL_KAFKA_SSL_KEY_FILE.');
export const KAFKA_SSL_KEY_FILE = filePath('FIL_KAFKA_SSL_KEY_FILE', 'The client certificate\'s private key (PEM); goes with FIL_KAFKA_SSL_CERT_FILE.');
// SASL/PLAIN is left out on purpose: it sends the password itself over the connection.
export const KAFKA_SASL_MECHANISM = oneOf('FIL_KAFKA_SASL_MECHANISM', ['scram-sha-256', 'scram-sha-512'], undefined, 'Authenticates to the brokers with SASL/SCRAM; needs FIL_KAFKA_SSL=true and a username.', {
  ignoreCase: true,
});
export const KAFKA_SASL_USERNAME = text('FIL_KAFKA_SASL_USERNAME', undefined, 'The SCRAM user.');
export const KAFKA_SASL_PASSWORD = text('FIL_KAFKA_SASL_PASSWORD', undefined, 'The SCRAM password (or FIL_KAFKA_SASL_PASSWORD_FILE, not both).', { secret: true });
export const KAFKA_SASL_PASSWORD_FILE = filePath('FIL_KAFKA_SASL_PASSWORD_FILE', 'A file holding the SCRAM password; a final newline is not part of it.');
export const CONSUMER_BATCH = integer('FIL_CONSUMER_BATCH', { min: 1, max: 10_000, unit: 'messages', fallback: 200 }, 'Most messages a consumer handles in one transaction.');
export const MESSAGE_RETENTION_HOURS = integer('FIL_MESSAGE_RETENTION_HOURS', { min: 1, max: 87_600, unit: 'hours', fallback: 168 }, 'How long published outbox rows and handled-message ids are kept (dedupe window).');

export const messagingVariables = [
  KAFKA_BROKERS,
  TOPIC_PREFIX,
  KAFKA_PARTITIONS,
  KAFKA_CREATE_TOPICS,
  KAFKA_SSL,
  KAFKA_SSL_CA_FILE,
  KAFKA_SSL_CERT_FILE,
  KAFKA_SSL_KEY_FILE,
  KAFKA_SASL_MECHANISM,
  KAFKA_SASL_USERNAME,
  KAFKA_SASL_PASSWORD,
  KAFKA_SASL_PASSWORD_FILE,
  CONSUMER_BATCH,
  MESSAGE_RETENTION_HOURS,
];
