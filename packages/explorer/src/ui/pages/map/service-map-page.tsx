import { fetchServiceMap } from '../../api.ts';
import type { ServiceMap } from '../../../api-types.ts';
import { useAsync } from '../../components/use-async.ts';
import { serviceColor } from '../../lib/colors.ts';
import { layoutServiceMap, NODE_H, NODE_W } from '../../lib/map-layout.ts';
import { navigate } from '../../router.tsx';
import './map.css';

const LOOKBACKS = ['15m', '1h', '6h', '24h', '7d'];

function pct(rate: number): string {
  return rate === 0 ? '0%' : rate < 0.001 ? '<0.1%' : `${Math.round(rate * 1000) / 10}%`;
}

/** How a broker is named on an edge label; classes: `system-kafka`, `system-rabbitmq`, `system-other`. */
const SYSTEM_LABEL: Record<string, string> = { kafka: 'Kafka', rabbitmq: 'RabbitMQ' };
const systemClass = (system: string | undefined): string => (system && SYSTEM_LABEL[system] ? system : 'other');

function MapGraph({ map }: { map: ServiceMap }) {
  const layout = layoutServiceMap(map.nodes.map((n) => n.service), map.edges);
  const stats = new Map(map.nodes.map((n) => [n.service, n]));
  // Several edges between one pair (e.g. gRPC and Kafka): fan them out so neither hides the other.
  const groups = new Map<string, number>();
  const slot = map.edges.map((e) => {
    const key = `${e.from}\u0000${e.to}`;
    const i = groups.get(key) ?? 0;
    groups.set(key, i + 1);
    return i;
  });
  return (
    <svg class="tw-map-svg" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label="Service map">
      <defs>
        {['rpc', 'http', 'messaging', 'kafka', 'rabbitmq', 'other', 'error'].map((k) => (
          <marker id={`tw-map-arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class={`tw-map-head-${k}`} />
          </marker>
        ))}
      </defs>
      {map.edges.map((e, ei) => {
        const a = layout.nodes.get(e.from);
        const b = layout.nodes.get(e.to);
        if (!a || !b) return null;
        const self = a === b;
        const back = !self && b.x <= a.x;
        const n = groups.get(`${e.from}\u0000${e.to}`) ?? 1;
        const off = Math.max(-NODE_H / 2 + 8, Math.min(NODE_H / 2 - 8, (slot[ei]! - (n - 1) / 2) * 18));
        const x1 = self ? a.x + NODE_W - 30 - slot[ei]! * 12 : back ? a.x : a.x + NODE_W;
        const y1 = self ? a.y : a.y + NODE_H / 2 + off;
        const x2 = self ? a.x + NODE_W - 10 - slot[ei]! * 12 : back ? b.x + NODE_W : b.x;
        const y2 = self ? a.y : b.y + NODE_H / 2 + off;
        const dx = Math.max(40, Math.abs(x2 - x1) / 2);
        const hasErr = e.errorCount > 0;
        // Colour the whole edge red only when failures are common; rare ones show in the label.
        const failing = e.errorRate >= 0.05;
        const d = self
          ? `M ${x1} ${y1} C ${x1 - 10} ${y1 - 40}, ${x2 + 10} ${y2 - 40}, ${x2} ${y2}`
          : back
            ? `M ${x1} ${y1} C ${x1 - dx} ${y1 + 60}, ${x2 + dx} ${y2 + 60}, ${x2} ${y2}`
            : `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
        // Label at t = 0.65 along the curve: near the callee, so labels of a fan-out spread apart.
        const [c1x, c1y, c2x, c2y] = self
          ? [x1 - 10, y1 - 40, x2 + 10, y2 - 40]
          : back
            ? [x1 - dx, y1 + 60, x2 + dx, y2 + 60]
            : [x1 + dx, y1, x2 - dx, y2];
        const t = self ? 0.5 : 0.65;
        const bez = (a: number, b: number, c: number, e: number): number =>
          (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * e;
        const mx = bez(x1, c1x, c2x, x2);
        const my = bez(y1, c1y, c2y, y2);
        const broker = e.kind === 'messaging' ? `✉ ${e.system ? (SYSTEM_LABEL[e.system] ?? e.system) : ''} `.replace('  ', ' ') : '';
        const label = `${broker}${e.count}${e.kind === 'messaging' || hasErr ? ` · ${pct(e.errorRate)} err` : ''}`;
        const lw = label.length * 7 + 16;
        return (
          <g
            class={`tw-map-edge kind-${e.kind}${e.kind === 'messaging' ? ` system-${systemClass(e.system)}` : ''}${hasErr ? ' has-error' : ''}${failing ? ' failing' : ''}`}
            data-from={e.from}
            data-to={e.to}
            data-system={e.system}
          >
            <title>{`${e.from} → ${e.to} (${e.system ? (SYSTEM_LABEL[e.system] ?? e.system) : e.kind}): ${e.count} ${e.kind === 'messaging' ? 'messages' : 'calls'}, ${e.errorCount} errors (${pct(e.errorRate)})`}</title>
            <path d={d} marker-end={`url(#tw-map-arrow-${failing ? 'error' : e.kind === 'messaging' && systemClass(e.system) !== 'other' ? e.system : e.kind})`} />
            <g transform={`translate(${mx}, ${my})`}>
              <rect x={-lw / 2} y={-9} width={lw} height={18} rx={9} />
              <text text-anchor="middle" dy="4">
                {label}
              </text>
            </g>
          </g>
        );
      })}
      {[...layout.nodes.values()].map((n) => {
        const s = stats.get(n.service);
        const errors = s?.errorCount ?? 0;
        return (
          <g
            class={`tw-map-node${errors > 0 ? ' has-error' : ''}`}
            transform={`translate(${n.x}, ${n.y})`}
            data-service={n.service}
            onClick={() => navigate(`/search?service=${encodeURIComponent(n.service)}`)}
          >
            <title>{`${n.service}: click to search its traces`}</title>
            <rect width={NODE_W} height={NODE_H} rx={8} />
            <rect width={6} height={NODE_H} rx={3} style={{ fill: serviceColor(n.service) }} />
            <text x={16} y={23} class="tw-map-name">
              {n.service.length > 22 ? `${n.service.slice(0, 21)}…` : n.service}
            </text>
            <text x={16} y={42} class="tw-map-stats">
              {s ? `${s.spanCount} spans` : 'no spans'}
              {errors > 0 ? ` · ${errors} errors` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function ServiceMapPage({ query }: { query: URLSearchParams }) {
  const lookback = query.get('lookback') ?? '1h';
  const state = useAsync((signal) => fetchServiceMap(lookback, signal), [lookback]);
  return (
    <div class="tw-map-page">
      <div class="tw-map-toolbar">
        <h1>Service map</h1>
        <label class="tw-inline">
          Time range
          <select value={lookback} onChange={(e) => navigate(`/map?lookback=${e.currentTarget.value}`)}>
            {LOOKBACKS.map((l) => (
              <option value={l}>Last {l}</option>
            ))}
          </select>
        </label>
        <span class="tw-map-legend">
          <span class="lg lg-rpc" /> gRPC <span class="lg lg-http" /> HTTP <span class="lg lg-kafka" /> Kafka <span class="lg lg-rabbitmq" /> RabbitMQ
          <span class="lg lg-error" /> ≥ 5% errors
        </span>
      </div>
      {state.status === 'error' && <div class="tw-error-box" role="alert">{state.error.message}</div>}
      {state.data && state.data.nodes.length === 0 && <div class="tw-empty">No spans in this time range.</div>}
      {state.data && state.data.nodes.length > 0 && (
        <div class="tw-map-canvas">
          <MapGraph map={state.data} />
        </div>
      )}
      {!state.data && state.status === 'loading' && <div class="tw-empty">Loading…</div>}
    </div>
  );
}
