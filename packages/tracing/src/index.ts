export { initTracing } from './init.ts';
export type { InitTracingOptions, TracingHandle } from './init.ts';
export { TracingConfigError, resolveConfig } from './config.ts';
export type {
  BatchOptions,
  ExporterKind,
  OtlpProtocol,
  ResolvedConfig,
  SamplerName,
  SpanLimitOptions,
  TracingOptions,
} from './config.ts';
export type { ExportStats } from './stats.ts';
export { createPropagator, extract, inject } from './propagation.ts';
export { currentIds, recordError, tracer, withSpan } from './span.ts';
export type { WithSpanOptions } from './span.ts';
export {
  amqpHeadersGetter,
  amqpHeadersSetter,
  fetchHeadersSetter,
  grpcMetadataGetter,
  grpcMetadataSetter,
  httpHeadersGetter,
  httpHeadersSetter,
  kafkaHeadersGetter,
  kafkaHeadersSetter,
  kafkaStringHeadersSetter,
} from './carriers.ts';
export type { AmqpHeaders, HeaderRecord, KafkaHeaders, MetadataLike } from './carriers.ts';
export { serverSpan, setHttpRoute, traceHttpServer, tracedFetch, tracedHttpRequest } from './http.ts';
export type { HttpHandler, HttpServerTracingOptions } from './http.ts';
export { kafkaMessageContext, processBatchTraced, processTraced, sendTraced } from './kafka.ts';
export type {
  IncomingKafkaMessage,
  KafkaProduceResult,
  KafkaSendTracingOptions,
  KafkaTracingOptions,
  OutgoingKafkaMessage,
} from './kafka.ts';
export { kafkaRecordPositions } from './kafka-offsets.ts';
export type { KafkaRecordPosition } from './kafka-offsets.ts';
export { consumeTraced, publishTraced } from './amqp.ts';
export type { AmqpConsumeOptions, AmqpFailureAction } from './amqp.ts';
export type { ConsumerContextMode } from './messaging.ts';
export { createLogger } from './logger.ts';
export type { LogFields, LogLevel, Logger } from './logger.ts';
