import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { otlpDownloadUrl } from '../../api.ts';
import { traceConnections } from '../../lib/connections.ts';
import type { TimeZoneMode } from '../../lib/format.ts';
import { isPlainKey, isTyping } from '../../lib/shortcuts.ts';
import { traceHref } from '../../lib/routes.ts';
import { ancestorIds, buildTraceTree, collapseBelow, firstError, visibleRows } from '../../lib/trace-tree.ts';
import { criticalPathIds } from '../../../trace/index.ts';
import { openedTrace } from '../../local-traces.ts';
import { Link, navigate } from '../../router.tsx';
import { FlameGraph } from './flame-graph.tsx';
import { SpanDetail } from './span-detail.tsx';
import { TraceHeader } from './trace-header.tsx';
import { TraceStatsTable } from './trace-stats.tsx';
import { type TraceViewMode, ViewSwitch } from './view-switch.tsx';
import { useLiveTrace } from './use-live-trace.ts';
import { Waterfall } from './waterfall.tsx';
import './trace.css';

export function TracePage({ traceId, spanId, view, tz }: { traceId: string; spanId: string | undefined; view: TraceViewMode; tz: TimeZoneMode }) {
  const { state, live, notFound, waiting } = useLiveTrace(traceId);
  const fromFile = openedTrace(traceId);
  const trace = state.data;
  const tree = useMemo(() => (trace ? buildTraceTree(trace.spans) : undefined), [trace]);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [showCp, setShowCp] = useState(true);
  const [find, setFind] = useState('');
  const [scrollNonce, setScrollNonce] = useState(0);
  const [zoom, setZoom] = useState<[number, number] | undefined>();

  const criticalPath = useMemo(() => {
    if (!tree) return new Set<string>();
    // The server computes it with the same module; an older server may not send it.
    const fromServer = trace?.criticalPath ?? [];
    return new Set(fromServer.length > 0 ? fromServer : criticalPathIds(tree));
  }, [tree]);
  const rows = useMemo(() => (tree ? visibleRows(tree, collapsed) : []), [tree, collapsed]);
  const connections = useMemo(() => (tree ? traceConnections(tree, traceId) : []), [tree]);
  const matches = useMemo(() => {
    const needle = find.trim().toLowerCase();
    if (!tree || !needle) return new Set<string>();
    return new Set(
      tree.preorder
        .filter((n) => `${n.span.service} ${n.span.name} ${n.span.spanId}`.toLowerCase().includes(needle) ||
          n.span.attributes.some((a) => String(a.value).toLowerCase().includes(needle)))
        .map((n) => n.span.spanId),
    );
  }, [tree, find]);

  // A deep-linked or jumped-to span: open its ancestors and scroll to it.
  useEffect(() => {
    if (!tree || !spanId || !tree.byId.has(spanId)) return;
    const ancestors = ancestorIds(tree, spanId);
    if (ancestors.some((id) => collapsed.has(id))) {
      setCollapsed((c) => {
        const next = new Set(c);
        for (const id of ancestors) next.delete(id);
        return next;
      });
    }
    setScrollNonce((n) => n + 1);
  }, [tree, spanId]);

  const select = useCallback((id: string) => navigate(traceHref(traceId, id, view), { replace: true }), [traceId, view]);
  // The view is in the URL, so a link opens it; switching replaces the entry, like selecting a span.
  const setView = useCallback((v: TraceViewMode) => navigate(traceHref(traceId, spanId, v), { replace: true }), [traceId, spanId]);
  const toggle = useCallback((id: string) => {
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  // Keyboard: up/down (or k/j) move the selection, left/right collapse/expand, Esc closes the detail.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      if (!tree || !isPlainKey(e) || isTyping(target)) return;
      const at = rows.findIndex((r) => r.span.spanId === spanId);
      const current = at >= 0 ? rows[at] : undefined;
      let handled = true;
      if (e.key === 'ArrowDown' || e.key === 'j') select(rows[Math.min(rows.length - 1, at + 1)]!.span.spanId);
      else if (e.key === 'ArrowUp' || e.key === 'k') select(rows[Math.max(0, at - 1)]!.span.spanId);
      else if (e.key === 'ArrowLeft' && current) {
        if (current.children.length > 0 && !collapsed.has(current.span.spanId)) toggle(current.span.spanId);
        else if (current.parent) select(current.parent.span.spanId);
      } else if (e.key === 'ArrowRight' && current && collapsed.has(current.span.spanId)) toggle(current.span.spanId);
      else if (e.key === 'e' && firstError(tree)) select(firstError(tree)!.span.spanId);
      else if (e.key === 'Escape' && spanId) navigate(traceHref(traceId, undefined, view), { replace: true });
      else handled = false;
      if (handled) {
        e.preventDefault();
        setScrollNonce((n) => n + 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tree, rows, spanId, collapsed, view]);

  const goto = useCallback((tid: string, sid: string) => navigate(traceHref(tid.toLowerCase(), sid)), []);

  if (!trace || !tree) {
    if (state.status === 'error') {
      return (
        <div class="tw-empty" role="alert">
          {notFound ? (
            <>
              Trace <code>{traceId}</code> was not found{waiting ? ' (yet): waiting for its spans…' : '.'}
            </>
          ) : (
            state.error.message
          )}{' '}
          <Link href="/search">Back to search</Link>
        </div>
      );
    }
    return <div class="tw-empty">Loading trace…</div>;
  }

  const selected = spanId ? tree.byId.get(spanId) : undefined;
  const firstErr = firstError(tree);
  const matchList = rows.filter((r) => matches.has(r.span.spanId));
  return (
    <div class="tw-trace">
      <TraceHeader trace={trace} tree={tree} tz={tz} live={live} />
      <div class="tw-trace-toolbar">
        <ViewSwitch view={view} onChange={setView} />
        {view === 'waterfall' && (
          <>
            <button onClick={() => setCollapsed(new Set())} disabled={collapsed.size === 0}>
              Expand all
            </button>
            <button onClick={() => setCollapsed(collapseBelow(tree, 1))} title="Show the root and its children only">Collapse to 2 levels</button>
            <button onClick={() => setCollapsed(collapseBelow(tree, 0))}>Collapse all</button>
          </>
        )}
        <button
          class="tw-jump-error"
          disabled={!firstErr}
          onClick={() => firstErr && select(firstErr.span.spanId)}
          title={firstErr ? `${firstErr.span.service}: ${firstErr.span.name}` : 'No error spans'}
        >
          Jump to first error
        </button>
        {view === 'waterfall' && (
          <>
            <label class="tw-check">
              <input type="checkbox" checked={showCp} onChange={(e) => setShowCp(e.currentTarget.checked)} />
              <span class="tw-cp-legend" /> Critical path
            </label>
            <form
              class="tw-find"
              onSubmit={(e) => {
                e.preventDefault();
                if (matchList.length === 0) return;
                const at = matchList.findIndex((r) => r.span.spanId === spanId);
                select(matchList[(at + 1) % matchList.length]!.span.spanId);
              }}
            >
              <input
                placeholder="Find in trace…"
                aria-label="Find in trace"
                data-slash-focus
                value={find}
                onInput={(e) => setFind(e.currentTarget.value)}
              />
              {find.trim() && <span class="tw-muted">{matches.size} match{matches.size === 1 ? '' : 'es'}</span>}
            </form>
          </>
        )}
        <span class="tw-spacer" />
        {!fromFile && (
          <a class="tw-button" href={otlpDownloadUrl(traceId)} download={`trace-${traceId}.json`}>
            Download OTLP JSON
          </a>
        )}
      </div>
      {fromFile && (
        <div class="tw-notice tw-from-file" role="status">
          Opened from <strong>{fromFile.fileName}</strong>: not stored in the explorer; reloading the page forgets it.
        </div>
      )}
      {trace.truncated && (
        <div class="tw-notice tw-truncated" role="status">
          This trace has {trace.truncated.spanCount.toLocaleString('en-US')} spans: showing the first{' '}
          {trace.truncated.servedSpans.toLocaleString('en-US')} by start time.
        </div>
      )}
      {spanId && !selected && (
        <div class="tw-notice">
          Span <code>{spanId}</code> is not in this trace{live ? ' yet' : ''}.
        </div>
      )}
      <div class={`tw-trace-body${selected ? ' with-detail' : ''}`}>
        {view === 'flame' && <FlameGraph tree={tree} selectedId={spanId} onSelect={select} />}
        {view === 'stats' && <TraceStatsTable tree={tree} />}
        {view === 'waterfall' && <Waterfall
          rows={rows}
          tree={tree}
          viewStartNs={zoom ? zoom[0] : 0}
          viewEndNs={zoom ? zoom[1] : tree.durationNs}
          onZoom={(a, b) => setZoom(a <= 0 && b >= tree.durationNs ? undefined : [a, b])}
          collapsed={collapsed}
          selectedId={spanId}
          criticalPath={criticalPath}
          showCriticalPath={showCp}
          matches={matches}
          connections={connections}
          scrollNonce={scrollNonce}
          onToggle={toggle}
          onSelect={select}
          onGoto={goto}
        />}
        {selected && view !== 'stats' && (
          <SpanDetail
            key={selected.span.spanId}
            node={selected}
            tree={tree}
            traceId={traceId}
            tz={tz}
            onCriticalPath={criticalPath.has(selected.span.spanId)}
            onClose={() => navigate(traceHref(traceId, undefined, view), { replace: true })}
            onGoto={goto}
          />
        )}
      </div>
    </div>
  );
}
