/**
 * OTLP/HTTP protobuf and OTLP/gRPC exporters whose serializer is the
 * library's encoder. Everything else is the official exporters' own code
 * (`OTLPExporterBase` and its HTTP or gRPC delegate: retries, timeouts,
 * headers, `OTEL_EXPORTER_OTLP_*` variables, concurrency limit), so only the
 * encoding differs from `@opentelemetry/exporter-trace-otlp-proto` / `-grpc`,
 * and that is byte for byte the same output. Two shapes: one takes spans
 * (a SpanExporter, for the SDK's processors), one takes batches the
 * EncodingSpanProcessor encoded already.
 */
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { convertLegacyOtlpGrpcOptions, createOtlpGrpcExportDelegate } from '@opentelemetry/otlp-grpc-exporter-base';
import {
  type IExportTraceServiceResponse,
  type IExporterMetricsHelper,
  type ISerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { EncodedBatch, EncodedBatchSender } from './encoding-processor.ts';
import { encodeTraceRequest } from './otlp-encoder.ts';

export interface LeanExporterOptions {
  /** Full URL for HTTP (`.../v1/traces`), `http://host:port` for gRPC. */
  url: string;
  timeoutMillis: number;
}

const deserializeResponse = (data: Uint8Array): IExportTraceServiceResponse => ProtobufTraceSerializer.deserializeResponse(data);

/** The official delegate for `protocol`, with `serializer` in place of the official one. */
function delegate<T>(protocol: 'grpc' | 'http/protobuf', options: LeanExporterOptions, serializer: ISerializer<T, IExportTraceServiceResponse>, metrics: IExporterMetricsHelper<T>) {
  if (protocol === 'grpc') {
    return createOtlpGrpcExportDelegate(convertLegacyOtlpGrpcOptions(options, 'TRACES'), serializer, 'otlp_grpc_span_exporter', metrics, undefined, 'TraceExportService', '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
  }
  const http = convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  return createOtlpHttpExportDelegate(http, serializer, 'otlp_http_span_exporter', metrics, undefined);
}

const spanSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = { serializeRequest: encodeTraceRequest, deserializeResponse };
const batchSerializer: ISerializer<EncodedBatch, IExportTraceServiceResponse> = { serializeRequest: (b) => b.bytes, deserializeResponse };
const batchMetrics: IExporterMetricsHelper<EncodedBatch> = { name: 'span', countItems: (b) => b.spans };

/** OTLP/HTTP protobuf, as `@opentelemetry/exporter-trace-otlp-proto` sends it. */
export class OtlpHttpProtoExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(options: LeanExporterOptions) {
    super(delegate('http/protobuf', options, spanSerializer, TraceExporterMetricsHelper));
  }
}

/** OTLP/gRPC, as `@opentelemetry/exporter-trace-otlp-grpc` sends it. */
export class OtlpGrpcExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(options: LeanExporterOptions) {
    super(delegate('grpc', options, spanSerializer, TraceExporterMetricsHelper));
  }
}

/** Sends batches the EncodingSpanProcessor encoded, over OTLP/HTTP protobuf or OTLP/gRPC. */
export class OtlpBatchSender extends OTLPExporterBase<EncodedBatch> implements EncodedBatchSender {
  constructor(protocol: 'grpc' | 'http/protobuf', options: LeanExporterOptions) {
    super(delegate(protocol, options, batchSerializer, batchMetrics));
  }
}
