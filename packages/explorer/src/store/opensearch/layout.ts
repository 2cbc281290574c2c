/**
 * Index layout of Jaeger's Elasticsearch/OpenSearch storage: one `jaeger-span-YYYY-MM-DD` and one
 * `jaeger-service-YYYY-MM-DD` index per UTC day of the span's start, with an optional prefix
 * (`<prefix>-jaeger-span-…`, as Jaeger's `--es.index-prefix`). The mappings are Jaeger's
 * (`internal/storage/elasticsearch/esclient/index_templates/jaeger-span.json` and
 * `jaeger-service.json`, rendered for OpenSearch without ILM); Tracewire adds only the
 * `tracewire` field (see jaeger-doc.ts), in a template of its own, so a Jaeger collector that
 * (re)creates its templates never removes it.
 */
const KW = { type: 'keyword', ignore_above: 256 } as const;
const TAGS = { type: 'nested', dynamic: false, properties: { key: KW, value: KW, type: KW } } as const;
const tagMap = (name: string, path: string) => ({ [name]: { mapping: KW, path_match: path } });

export const JAEGER_SPAN_MAPPINGS = {
  dynamic_templates: [tagMap('span_tags_map', 'tag.*'), tagMap('process_tags_map', 'process.tag.*'), tagMap('scope_tags_map', 'scopeTag.*')],
  properties: {
    traceID: KW,
    parentSpanID: KW,
    spanID: KW,
    operationName: KW,
    startTime: { type: 'long' },
    startTimeMillis: { type: 'date', format: 'epoch_millis' },
    duration: { type: 'long' },
    flags: { type: 'integer' },
    logs: {
      type: 'nested',
      dynamic: false,
      properties: { timestamp: { type: 'long' }, fields: TAGS },
    },
    process: { properties: { serviceName: KW, tag: { type: 'object' }, tags: TAGS } },
    references: {
      type: 'nested',
      dynamic: false,
      properties: { refType: KW, traceID: KW, spanID: KW, traceState: KW, flags: { type: 'integer' }, tags: TAGS },
    },
    tag: { type: 'object' },
    tags: TAGS,
    scopeTag: { type: 'object' },
    scopeTags: TAGS,
  },
};

export const JAEGER_SERVICE_MAPPINGS = {
  dynamic_templates: [tagMap('span_tags_map', 'tag.*'), tagMap('process_tags_map', 'process.tag.*')],
  properties: { serviceName: KW, operationName: KW },
};

/** The one field Tracewire adds to span documents: the span as received, stored, not indexed. */
export const TRACEWIRE_SPAN_FIELDS = { tracewire: { type: 'object', enabled: false } };

export interface LayoutOptions {
  /** Jaeger's index prefix; `tw` gives `tw-jaeger-span-2026-12-02`. Default none. */
  prefix?: string;
  shards?: number;
  replicas?: number;
}

export class IndexLayout {
  readonly base: string;
  constructor(private readonly opts: LayoutOptions = {}) {
    this.base = opts.prefix ? `${opts.prefix}-` : '';
  }

  get spanPattern(): string {
    return `${this.base}jaeger-span-*`;
  }

  get servicePattern(): string {
    return `${this.base}jaeger-service-*`;
  }

  /** Jaeger names indices by the UTC day of the span's start (`indexWithDate`). */
  spanIndex(startMs: number): string {
    return `${this.base}jaeger-span-${day(startMs)}`;
  }

  serviceIndex(startMs: number): string {
    return `${this.base}jaeger-service-${day(startMs)}`;
  }

  /** The UTC day start (ms) an index of this layout holds, or undefined for other names. */
  dayOf(index: string): number | undefined {
    if (!index.startsWith(this.base)) return undefined;
    const m = /^jaeger-(?:span|service)-(\d{4})-(\d{2})-(\d{2})$/.exec(index.slice(this.base.length));
    if (!m) return undefined;
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  }

  private settings() {
    return {
      'index.number_of_shards': this.opts.shards ?? 1,
      'index.number_of_replicas': this.opts.replicas ?? 1,
      'index.mapping.nested_fields.limit': 50,
      'index.requests.cache.enable': true,
    };
  }

  /** Legacy templates, as Jaeger puts them for OpenSearch (`PUT _template/<name>`). */
  templates(): Array<{ name: string; body: Record<string, unknown>; onlyIfAbsent: boolean }> {
    return [
      {
        name: `${this.base}jaeger-span`,
        body: { index_patterns: [`*${this.base}jaeger-span-*`], settings: this.settings(), mappings: JAEGER_SPAN_MAPPINGS },
        onlyIfAbsent: true,
      },
      {
        name: `${this.base}jaeger-service`,
        body: { index_patterns: [`*${this.base}jaeger-service-*`], settings: this.settings(), mappings: JAEGER_SERVICE_MAPPINGS },
        onlyIfAbsent: true,
      },
      {
        name: `${this.base}tracewire-span`,
        body: { index_patterns: [`*${this.base}jaeger-span-*`], order: 10, mappings: { properties: TRACEWIRE_SPAN_FIELDS } },
        onlyIfAbsent: false,
      },
    ];
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
