/**
 * Bench 1, span cost: our helpers against raw OpenTelemetry SDK calls doing the
 * same work, in the same process and run. Target: within 5% of raw; the no-op
 * path (tracing not initialised) under 100 ns.
 */
import * as grpc from '@grpc/grpc-js';
import {
  type Context,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
} from '@opentelemetry/api';
import {
  amqpHeadersGetter,
  amqpHeadersSetter,
  extract,
  grpcMetadataGetter,
  grpcMetadataSetter,
  httpHeadersGetter,
  httpHeadersSetter,
  initTracing,
  inject,
  kafkaHeadersGetter,
  kafkaHeadersSetter,
  withSpan,
} from '../packages/tracing/src/index.ts';
import { type BenchResult, compare, type Figure, progress, stamp } from './lib.ts';

const ATTRS = { 'order.id': 'o-123', 'customer.id': 'c-9', 'product.id': 'p-1', quantity: 3, amount: 42.5 };

export async function run(quick: boolean): Promise<BenchResult> {
  // 50k x 11 interleaved rounds: the median is stable, and the full run stays inside its 10-minute budget.
  const iterations = quick ? 20_000 : 50_000;
  const rounds = quick ? 5 : 11;
  const figures: Figure[] = [];
  const add = (name: string, raw: () => unknown, ours: () => unknown, target = 'within 5% of raw'): void => {
    progress(`span-cost: ${name}`);
    const r = compare(raw, ours, { iterations, rounds });
    figures.push({
      case: name,
      value: r.candidate,
      unit: 'ns/op',
      baseline: r.baseline,
      ratio: r.ratio,
      target,
      met: r.ratio <= 1.05,
      ...(r.ratio > 1.05 ? { note: `+${((r.ratio - 1) * 100).toFixed(1)}%` } : {}),
    });
  };

  const tracing = initTracing({ serviceName: 'bench', exporter: 'none', sampler: 'always_on' });
  const tracer = trace.getTracer('bench');
  add(
    'start+end span, 5 attributes',
    () =>
      tracer.startActiveSpan('op', { attributes: ATTRS }, (span) => {
        try {
          return 1;
        } finally {
          span.end();
        }
      }),
    () => withSpan('op', { attributes: ATTRS }, () => 1),
  );

  const active: Context = trace.setSpan(ROOT_CONTEXT, tracer.startSpan('parent'));
  const ctx = propagation.setBaggage(active, propagation.createBaggage({ tenant: { value: 'acme' } }));
  const httpHeaders: Record<string, unknown> = {};
  propagation.inject(ctx, httpHeaders, defaultTextMapSetter);

  add('inject, HTTP headers', () => propagation.inject(ctx, {}, defaultTextMapSetter), () => inject({}, httpHeadersSetter, ctx));
  add(
    'extract, HTTP headers',
    () => propagation.extract(ROOT_CONTEXT, httpHeaders, defaultTextMapGetter),
    () => extract(httpHeaders as Record<string, string>, httpHeadersGetter, ROOT_CONTEXT),
  );

  const rawMdSetter: TextMapSetter<grpc.Metadata> = { set: (c, k, v) => c.set(k, v) };
  const rawMdGetter: TextMapGetter<grpc.Metadata> = {
    keys: (c) => Object.keys(c.getMap()),
    get: (c, k) => {
      const v = c.get(k)[0];
      return v === undefined ? undefined : String(v);
    },
  };
  const md = new grpc.Metadata();
  propagation.inject(ctx, md, rawMdSetter);
  add('inject, gRPC metadata', () => propagation.inject(ctx, new grpc.Metadata(), rawMdSetter), () => inject(new grpc.Metadata(), grpcMetadataSetter, ctx));
  add('extract, gRPC metadata', () => propagation.extract(ROOT_CONTEXT, md, rawMdGetter), () => extract(md, grpcMetadataGetter, ROOT_CONTEXT));

  const rawKafkaSetter: TextMapSetter<Map<string, Buffer>> = { set: (c, k, v) => c.set(k, Buffer.from(v)) };
  const rawKafkaGetter: TextMapGetter<Map<Buffer, Buffer>> = {
    keys: (c) => [...c.keys()].map(String),
    get: (c, k) => {
      for (const [key, value] of c) if (key.toString() === k) return value.toString();
      return undefined;
    },
  };
  const kafkaHeaders = new Map<string, Buffer>();
  propagation.inject(ctx, kafkaHeaders, rawKafkaSetter);
  const wireKafka = new Map([...kafkaHeaders].map(([k, v]) => [Buffer.from(k), v]));
  add('inject, Kafka headers', () => propagation.inject(ctx, new Map(), rawKafkaSetter), () => inject(new Map(), kafkaHeadersSetter, ctx));
  add('extract, Kafka headers', () => propagation.extract(ROOT_CONTEXT, wireKafka, rawKafkaGetter), () => extract(wireKafka, kafkaHeadersGetter, ROOT_CONTEXT));

  const amqpHeaders: Record<string, unknown> = {};
  propagation.inject(ctx, amqpHeaders, defaultTextMapSetter);
  add('inject, AMQP headers', () => propagation.inject(ctx, {}, defaultTextMapSetter), () => inject({}, amqpHeadersSetter, ctx));
  add(
    'extract, AMQP headers',
    () => propagation.extract(ROOT_CONTEXT, amqpHeaders, defaultTextMapGetter),
    () => extract(amqpHeaders, amqpHeadersGetter, ROOT_CONTEXT),
  );
  await tracing.shutdown();

  // Tracing not initialised: the API's no-op tracer behind our helper.
  progress('span-cost: no-op path');
  const noop = compare(
    () => trace.getTracer('bench').startActiveSpan('op', { attributes: ATTRS }, (s) => s.end()),
    () => withSpan('op', { attributes: ATTRS }, () => 1),
    { iterations, rounds },
  );
  figures.push({
    case: 'withSpan, tracing not initialised (no-op)',
    value: noop.candidate,
    unit: 'ns/op',
    baseline: noop.baseline,
    ratio: noop.ratio,
    target: '< 100 ns',
    met: noop.candidate < 100,
    ...(noop.candidate >= 100 ? { note: `${(noop.candidate - 100).toFixed(0)} ns over` } : {}),
  });

  return {
    name: 'span-cost',
    title: 'Span and propagation cost: helpers vs raw SDK',
    ...stamp(),
    quick,
    parameters: { iterations, rounds, statistic: 'median of interleaved rounds', attributes: Object.keys(ATTRS).length },
    figures,
  };
}
