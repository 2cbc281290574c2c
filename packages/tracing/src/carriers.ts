/**
 * Getters and setters that let one propagator read and write every transport's
 * headers: HTTP (Node and fetch), gRPC metadata, Kafka record headers (bytes),
 * AMQP message headers. Keys on the wire are lowercase W3C names; Go's sarama
 * and amqp091 carriers match them case-sensitively.
 *
 * Getters tolerate any junk a peer may send (numbers, arrays, buffers,
 * nested objects): what is not a string or bytes reads as absent.
 */
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return undefined;
}

/** Node `IncomingHttpHeaders` or any lowercase-keyed record of header values. */
export type HeaderRecord = Record<string, string | string[] | number | undefined>;

export const httpHeadersGetter: TextMapGetter<HeaderRecord> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key.toLowerCase()];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    return typeof value === 'string' ? value : undefined;
  },
};

export const httpHeadersSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Fetch API `Headers`. */
export const fetchHeadersSetter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Minimal shape of @grpc/grpc-js `Metadata`, so the library does not load gRPC unless used. */
export interface MetadataLike {
  get(key: string): Array<string | Buffer>;
  set(key: string, value: string): void;
  getMap(): Record<string, unknown>;
}

export const grpcMetadataGetter: TextMapGetter<MetadataLike> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).map(asText).filter((v): v is string => v !== undefined);
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

export const grpcMetadataSetter: TextMapSetter<MetadataLike> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * Kafka record headers: a Map (what consumers receive) or a plain record (what
 * producers often build). Keys may arrive as strings or bytes; values as bytes.
 */
export type KafkaHeaders = Map<unknown, unknown> | Record<string, unknown>;

function kafkaEntries(carrier: KafkaHeaders): Iterable<[unknown, unknown]> {
  return carrier instanceof Map ? carrier.entries() : Object.entries(carrier);
}

/** UTF-8 bytes of the few keys propagators ask for, kept so a lookup encodes nothing. */
const keyBytesCache = new Map<string, Buffer>();
function keyBytes(key: string): Buffer {
  let bytes = keyBytesCache.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(key, 'utf8');
    if (keyBytesCache.size < 64) keyBytesCache.set(key, bytes);
  }
  return bytes;
}

/** Compares a header key as received (string or bytes) without decoding keys that cannot match. */
function isKey(k: unknown, key: string, bytes: Buffer): boolean {
  if (typeof k === 'string') return k === key;
  return k instanceof Uint8Array && k.byteLength === bytes.byteLength && bytes.equals(k);
}

export const kafkaHeadersGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => {
    const keys: string[] = [];
    for (const [k] of kafkaEntries(carrier)) {
      const key = asText(k);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  },
  get: (carrier, key) => {
    // A plain record holds each key once: one lookup.
    if (!(carrier instanceof Map)) return Object.hasOwn(carrier, key) ? asText(carrier[key]) : undefined;
    // Kafka lets a header key repeat (a Map of distinct Buffer keys): each is
    // a field of its own, like a repeated HTTP header, so all are returned and
    // the propagator rules on them (two traceparents restart the trace).
    const bytes = keyBytes(key);
    let found: string | undefined;
    let more: string[] | undefined;
    for (const [k, v] of carrier) {
      if (!isKey(k, key, bytes)) continue;
      const text = asText(v);
      if (text === undefined) continue;
      if (found === undefined) found = text;
      else (more ??= [found]).push(text);
    }
    return more ?? found;
  },
};

function kafkaSetter(encode: (value: string) => unknown): TextMapSetter<KafkaHeaders> {
  return {
    set: (carrier, key, value) => {
      if (carrier instanceof Map) {
        for (const k of carrier.keys()) if (asText(k) === key) carrier.delete(k);
        carrier.set(key, encode(value));
      } else {
        carrier[key] = encode(value);
      }
    },
  };
}

/** Writes header values as UTF-8 Buffers (clients without header serializers). */
export const kafkaHeadersSetter = kafkaSetter((value) => Buffer.from(value, 'utf8'));
/** Writes header values as strings (clients whose header serializer takes strings). */
export const kafkaStringHeadersSetter = kafkaSetter((value) => value);

/** AMQP 0-9-1 message headers (`msg.properties.headers`). */
export type AmqpHeaders = Record<string, unknown>;

export const amqpHeadersGetter: TextMapGetter<AmqpHeaders | undefined> = {
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
  get: (carrier, key) => (carrier ? asText(carrier[key]) : undefined),
};

export const amqpHeadersSetter: TextMapSetter<AmqpHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};
