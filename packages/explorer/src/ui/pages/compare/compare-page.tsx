/**
 * Compare two traces (`/compare?a=<id>&b=<id>`, reached by ticking two search
 * results): structure and duration, matched by the path of service + span
 * name from the root as Jaeger UI's trace comparison does (src/trace/diff.ts).
 * A is the baseline: "slower" means B took longer. Traces opened from a file
 * can be compared too.
 */
import { useMemo, useState } from 'preact/hooks';
import type { TraceView } from '../../../api-types.ts';
import { useAsync } from '../../components/use-async.ts';
import { formatDurationNs } from '../../lib/format.ts';
import { parseTraceId } from '../../lib/search-query.ts';
import { compareHref, traceHref } from '../../lib/routes.ts';
import { buildTraceTree } from '../../lib/trace-tree.ts';
import { loadTrace } from '../../local-traces.ts';
import { Link, navigate } from '../../router.tsx';
import { diffTraces, type DiffStatus } from '../../../trace/index.ts';
import { DiffTable, STATUS_LABELS } from './diff-table.tsx';
import '../trace/views.css';
import './compare.css';

function Picker({ a, b }: { a: string; b: string }) {
  const [va, setA] = useState(a);
  const [vb, setB] = useState(b);
  const [bad, setBad] = useState(false);
  return (
    <form
      class="tw-compare-form"
      onSubmit={(e) => {
        e.preventDefault();
        const ia = parseTraceId(va);
        const ib = parseTraceId(vb);
        setBad(!ia || !ib);
        if (ia && ib) navigate(compareHref(ia, ib));
      }}
    >
      <label class="tw-inline">A <input name="a" aria-label="Trace A" placeholder="Baseline trace id" value={va} onInput={(e) => setA(e.currentTarget.value)} /></label>
      <label class="tw-inline">B <input name="b" aria-label="Trace B" placeholder="Trace id to compare" value={vb} onInput={(e) => setB(e.currentTarget.value)} /></label>
      <button class="tw-primary" type="submit">Compare</button>
      {bad && <span class="tw-status-error">A trace id is up to 32 hex digits.</span>}
    </form>
  );
}

function Title({ label, id, view }: { label: string; id: string; view: TraceView }) {
  const root = view.spans.find((s) => !s.parentSpanId) ?? view.spans[0];
  return (
    <div class="tw-compare-side">
      <span class="tw-diff-side-label">{label}</span>
      <Link href={traceHref(id)}>{root ? `${root.service}: ${root.name}` : id}</Link>
      <span class="tw-muted">
        {formatDurationNs(Number(view.summary.durationNs))} · {view.summary.spanCount} spans · {view.summary.errorCount} error{view.summary.errorCount === 1 ? '' : 's'} · <code>{id.slice(0, 12)}</code>
      </span>
    </div>
  );
}

export function ComparePage({ a, b }: { a: string; b: string }) {
  const state = useAsync((signal) => (a && b ? Promise.all([loadTrace(a, signal), loadTrace(b, signal)]) : Promise.resolve(undefined)), [a, b]);
  const [onlyChanges, setOnlyChanges] = useState(false);
  const diff = useMemo(() => (state.data ? diffTraces(buildTraceTree(state.data[0].spans), buildTraceTree(state.data[1].spans)) : undefined), [state.data]);
  const rows = useMemo(() => (diff ? (onlyChanges ? diff.preorder.filter((d) => d.status !== 'same') : diff.preorder) : []), [diff, onlyChanges]);
  return (
    <div class="tw-compare">
      <header class="tw-trace-header">
        <div class="tw-trace-title"><h1>Compare traces</h1></div>
        <Picker key={`${a} ${b}`} a={a} b={b} />
      </header>
      {!(a && b) && <div class="tw-empty">Enter two trace ids, or tick two results on the search page and press Compare.</div>}
      {state.status === 'error' && <div class="tw-error-box" role="alert">{state.error.message}</div>}
      {a && b && state.status === 'loading' && <div class="tw-empty">Loading both traces…</div>}
      {state.data && diff && (
        <>
          <div class="tw-compare-sides">
            <Title label="A" id={a} view={state.data[0]} />
            <Title label="B" id={b} view={state.data[1]} />
          </div>
          <div class="tw-flame-toolbar">
            <span class="tw-diff-counts" aria-label="Differences">
              {(Object.keys(STATUS_LABELS) as DiffStatus[]).map((s) => (
                <span class={`tw-diff-badge tw-diff-badge-${s}`} data-count={s}>
                  {diff.counts[s]} {STATUS_LABELS[s]}
                </span>
              ))}
            </span>
            <label class="tw-check">
              <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.currentTarget.checked)} /> Only changes
            </label>
            <span class="tw-muted">Spans match by their path of service and name from the root; changes under 10 % or 1 % of the trace count as the same.</span>
          </div>
          <DiffTable rows={rows} a={a} b={b} />
        </>
      )}
    </div>
  );
}
