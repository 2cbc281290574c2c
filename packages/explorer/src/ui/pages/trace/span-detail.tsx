import type { ApiSpan } from '../../../api-types.ts';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDurationNs, formatTimestamp, nsToMs, valueText, type TimeZoneMode } from '../../lib/format.ts';
import { selfTimeNs, type SpanNode, type TraceTree } from '../../lib/trace-tree.ts';
import { KvTable } from './kv-table.tsx';
import { KIND_LABEL } from './span-row.tsx';

export interface SpanDetailProps {
  node: SpanNode;
  tree: TraceTree;
  traceId: string;
  tz: TimeZoneMode;
  onCriticalPath: boolean;
  onClose: () => void;
  /** Go to a span, in this trace or another one. */
  onGoto: (traceId: string, spanId: string) => void;
}

function offsetNs(tree: TraceTree, epochNs: string): number {
  try {
    return Number(BigInt(epochNs) - tree.startEpochNs);
  } catch {
    return Number.NaN;
  }
}

function SpanRef({ tree, traceId, spanId, onGoto, sameTrace }: { tree: TraceTree; traceId: string; spanId: string; sameTrace: boolean; onGoto: SpanDetailProps['onGoto'] }) {
  const target = sameTrace ? tree.byId.get(spanId) : undefined;
  return (
    <button class="tw-span-ref" data-link-span={spanId} data-link-trace={traceId} onClick={() => onGoto(traceId, spanId)}>
      {target ? (
        <>
          <ServiceChip name={target.span.service} /> {target.span.name}
        </>
      ) : (
        <>
          {!sameTrace && <span class="tw-muted">trace {traceId.slice(0, 12)}… </span>}
          <code>span {spanId}</code>
        </>
      )}
      <span class="tw-goto">→</span>
    </button>
  );
}

function Events({ span, tree }: { span: ApiSpan; tree: TraceTree }) {
  if (span.events.length === 0) return <div class="tw-muted tw-kv-empty">No events</div>;
  return (
    <ol class="tw-events">
      {span.events.map((ev) => {
        const isException = ev.name === 'exception';
        const stack = ev.attributes.find((a) => a.key === 'exception.stacktrace');
        const rest = ev.attributes.filter((a) => a !== stack);
        return (
          <li class={isException ? 'tw-event is-exception' : 'tw-event'}>
            <div class="tw-event-head">
              <span class="tw-event-time">+{formatDurationNs(offsetNs(tree, ev.timeNs))}</span>
              <strong>{ev.name}</strong>
            </div>
            <KvTable items={rest} empty="" />
            {stack && <pre class="tw-stack">{valueText(stack.value)}</pre>}
          </li>
        );
      })}
    </ol>
  );
}

export function SpanDetail({ node, tree, traceId, tz, onCriticalPath, onClose, onGoto }: SpanDetailProps) {
  const { span } = node;
  const incoming = tree.preorder.filter((n) => n.span.links.some((l) => l.spanId === span.spanId && l.traceId.toLowerCase() === traceId.toLowerCase()));
  return (
    <aside class="tw-detail" aria-label="Span details">
      <div class="tw-detail-head">
        <div class="tw-detail-title">
          <ServiceChip name={span.service} />
          <h2>{span.name}</h2>
        </div>
        <button class="tw-close" aria-label="Close span details" onClick={onClose}>
          ×
        </button>
      </div>
      <dl class="tw-facts">
        <div><dt>Duration</dt><dd>{formatDurationNs(node.durationNs)}</dd></div>
        <div><dt>Start</dt><dd>+{formatDurationNs(node.startNs)}</dd></div>
        {node.children.length > 0 && (
          <div><dt>Self time</dt><dd title="Time not covered by child spans">{formatDurationNs(selfTimeNs(node))}</dd></div>
        )}
        <div>
          <dt>Of trace</dt>
          <dd>{tree.durationNs > 0 ? `${Math.round((node.durationNs / tree.durationNs) * 1000) / 10}%` : '—'}</dd>
        </div>
        <div><dt>Kind</dt><dd><span class={`tw-kind tw-kind-${span.kind.toLowerCase()}`}>{KIND_LABEL[span.kind] ?? span.kind}</span></dd></div>
        <div>
          <dt>Status</dt>
          <dd class={`tw-status tw-status-${span.status.code.toLowerCase()}`}>
            {span.status.code}
            {span.status.message ? `: ${span.status.message}` : ''}
          </dd>
        </div>
        {onCriticalPath && <div><dt>Critical path</dt><dd>yes</dd></div>}
        <div><dt>Started at</dt><dd>{formatTimestamp(nsToMs(span.startNs), tz)}</dd></div>
        <div class="wide"><dt>Span id</dt><dd><code>{span.spanId}</code></dd></div>
        {span.parentSpanId && (
          <div class="wide">
            <dt>Parent</dt>
            <dd>
              {node.parent ? (
                <SpanRef tree={tree} traceId={traceId} spanId={span.parentSpanId} sameTrace onGoto={onGoto} />
              ) : (
                <code title="Not received (yet)">{span.parentSpanId} (missing)</code>
              )}
            </dd>
          </div>
        )}
      </dl>
      <section>
        <h3>Attributes <span class="tw-count">{span.attributes.length}</span></h3>
        <KvTable items={span.attributes} />
      </section>
      <section>
        <h3>Events <span class="tw-count">{span.events.length}</span></h3>
        <Events span={span} tree={tree} />
      </section>
      <section>
        <h3>Links <span class="tw-count">{span.links.length + incoming.length}</span></h3>
        {span.links.length === 0 && incoming.length === 0 && <div class="tw-muted tw-kv-empty">No links</div>}
        <ul class="tw-links">
          {span.links.map((l) => (
            <li class="tw-link">
              <SpanRef tree={tree} traceId={l.traceId} spanId={l.spanId} sameTrace={l.traceId.toLowerCase() === traceId.toLowerCase()} onGoto={onGoto} />
              {l.attributes.length > 0 && <KvTable items={l.attributes} />}
            </li>
          ))}
          {incoming.map((n) => (
            <li class="tw-link incoming">
              <span class="tw-muted">linked from </span>
              <SpanRef tree={tree} traceId={traceId} spanId={n.span.spanId} sameTrace onGoto={onGoto} />
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3>Resource <span class="tw-count">{span.resource.length}</span></h3>
        <KvTable items={span.resource} />
      </section>
      <section>
        <h3>Instrumentation scope</h3>
        <div class="tw-scope">
          {span.scope.name || <span class="tw-muted">(unnamed)</span>}
          {span.scope.version ? ` ${span.scope.version}` : ''}
        </div>
      </section>
    </aside>
  );
}
