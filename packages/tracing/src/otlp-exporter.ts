/**
 * The OTLP/HTTP protobuf and OTLP/gRPC span exporters with `encodeTraceRequest`
 * as their serializer. Everything else is the official exporters' own code
 * (`OTLPExporterBase` and its HTTP or gRPC delegate: retries, timeouts,
 * headers, `OTEL_EXPORTER_OTLP_*` variables, concurrency limit), so only the
 * encoding differs from `@opentelemetry/exporter-trace-otlp-proto` / `-grpc`,
 * and that is byte for byte the same output.
 */
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { convertLegacyOtlpGrpcOptions, createOtlpGrpcExportDelegate } from '@opentelemetry/otlp-grpc-exporter-base';
import { type IExportTraceServiceResponse, ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeTraceRequest } from './otlp-encoder.ts';

const serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: encodeTraceRequest,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

export interface LeanExporterOptions {
  /** Full URL for HTTP (`.../v1/traces`), `http://host:port` for gRPC. */
  url: string;
  timeoutMillis: number;
}

/** OTLP/HTTP protobuf, as `@opentelemetry/exporter-trace-otlp-proto` sends it. */
export class OtlpHttpProtoExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(options: LeanExporterOptions) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        serializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}

/** OTLP/gRPC, as `@opentelemetry/exporter-trace-otlp-grpc` sends it. */
export class OtlpGrpcExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(options: LeanExporterOptions) {
    super(
      createOtlpGrpcExportDelegate(
        convertLegacyOtlpGrpcOptions(options, 'TRACES'),
        serializer,
        'otlp_grpc_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
        'TraceExportService',
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      ),
    );
  }
}
