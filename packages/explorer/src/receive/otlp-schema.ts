/**
 * The OTLP trace messages as a protobufjs reflection root, written from the
 * field numbers of opentelemetry-proto (trace/v1/trace.proto, common/v1,
 * resource/v1, collector/trace/v1/trace_service.proto) and google.rpc.Status.
 * Only the messages a trace receiver needs; unknown fields are skipped by the
 * decoder, as the protobuf wire format requires.
 */
import protobuf from 'protobufjs';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;
const msg = (fields: Fields, extra: Record<string, unknown> = {}) => ({ fields, ...extra });

const common = {
  AnyValue: msg(
    {
      stringValue: { type: 'string', id: 1 },
      boolValue: { type: 'bool', id: 2 },
      intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 },
      arrayValue: { type: 'ArrayValue', id: 5 },
      kvlistValue: { type: 'KeyValueList', id: 6 },
      bytesValue: { type: 'bytes', id: 7 },
    },
    { oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } } },
  ),
  ArrayValue: msg({ values: { type: 'AnyValue', id: 1, rule: 'repeated' } }),
  KeyValueList: msg({ values: { type: 'KeyValue', id: 1, rule: 'repeated' } }),
  KeyValue: msg({ key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } }),
  InstrumentationScope: msg({
    name: { type: 'string', id: 1 },
    version: { type: 'string', id: 2 },
    attributes: { type: 'KeyValue', id: 3, rule: 'repeated' },
    droppedAttributesCount: { type: 'uint32', id: 4 },
  }),
};

const KV = 'opentelemetry.proto.common.v1.KeyValue';

const trace = {
  ResourceSpans: msg({
    resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
    scopeSpans: { type: 'ScopeSpans', id: 2, rule: 'repeated' },
    schemaUrl: { type: 'string', id: 3 },
  }),
  ScopeSpans: msg({
    scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
    spans: { type: 'Span', id: 2, rule: 'repeated' },
    schemaUrl: { type: 'string', id: 3 },
  }),
  Span: msg(
    {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      parentSpanId: { type: 'bytes', id: 4 },
      flags: { type: 'fixed32', id: 16 },
      name: { type: 'string', id: 5 },
      kind: { type: 'int32', id: 6 },
      startTimeUnixNano: { type: 'fixed64', id: 7 },
      endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: { type: KV, id: 9, rule: 'repeated' },
      droppedAttributesCount: { type: 'uint32', id: 10 },
      events: { type: 'Event', id: 11, rule: 'repeated' },
      droppedEventsCount: { type: 'uint32', id: 12 },
      links: { type: 'Link', id: 13, rule: 'repeated' },
      droppedLinksCount: { type: 'uint32', id: 14 },
      status: { type: 'Status', id: 15 },
    },
    {
      nested: {
        Event: msg({
          timeUnixNano: { type: 'fixed64', id: 1 },
          name: { type: 'string', id: 2 },
          attributes: { type: KV, id: 3, rule: 'repeated' },
          droppedAttributesCount: { type: 'uint32', id: 4 },
        }),
        Link: msg({
          traceId: { type: 'bytes', id: 1 },
          spanId: { type: 'bytes', id: 2 },
          traceState: { type: 'string', id: 3 },
          attributes: { type: KV, id: 4, rule: 'repeated' },
          droppedAttributesCount: { type: 'uint32', id: 5 },
          flags: { type: 'fixed32', id: 6 },
        }),
      },
    },
  ),
  Status: msg({ message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } }),
};

const descriptor = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: { nested: common } } },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: msg({
                      attributes: { type: KV, id: 1, rule: 'repeated' },
                      droppedAttributesCount: { type: 'uint32', id: 2 },
                    }),
                  },
                },
              },
            },
            trace: { nested: { v1: { nested: trace } } },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: msg({
                          resourceSpans: { type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1, rule: 'repeated' },
                        }),
                        ExportTraceServiceResponse: msg({ partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } }),
                        ExportTracePartialSuccess: msg({
                          rejectedSpans: { type: 'int64', id: 1 },
                          errorMessage: { type: 'string', id: 2 },
                        }),
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: {
      nested: {
        rpc: { nested: { Status: msg({ code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } }) } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

export const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('google.rpc.Status');

/** gRPC method path of the OTLP trace service. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
