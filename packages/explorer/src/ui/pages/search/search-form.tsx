import { useEffect, useState } from 'preact/hooks';
import { fetchOperations, fetchServices } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { KINDS, LOOKBACKS, type SearchForm } from '../../lib/search-query.ts';

const LOOKBACK_LABELS: Record<string, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  custom: 'Custom range…',
};

/** datetime-local wants local wall time without a zone. */
function toLocalInput(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

export function SearchFormPanel({ initial, onSubmit, invalid }: { initial: SearchForm; onSubmit: (f: SearchForm) => void; invalid?: string | undefined }) {
  // The API names the query parameter it refused; mark the matching field.
  const mark = (...params: string[]): string => (invalid && params.includes(invalid) ? 'invalid' : '');
  const [form, setForm] = useState<SearchForm>(initial);
  const [attrDraft, setAttrDraft] = useState('');
  useEffect(() => setForm(initial), [initial]);
  const services = useAsync((signal) => fetchServices(signal), []);
  const operations = useAsync(
    (signal) => (form.service ? fetchOperations(form.service, signal) : Promise.resolve([])),
    [form.service],
  );
  const set = <K extends keyof SearchForm>(key: K, value: SearchForm[K]): void => setForm((f) => ({ ...f, [key]: value }));
  const addAttr = (): void => {
    const expr = attrDraft.trim();
    if (expr && !form.attrs.includes(expr)) set('attrs', [...form.attrs, expr]);
    setAttrDraft('');
  };
  const opNames = [...new Set((operations.data ?? []).map((o) => o.name))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));

  return (
    <form
      class="tw-search-form"
      onSubmit={(e) => {
        e.preventDefault();
        const pending = attrDraft.trim();
        const attrs = pending && !form.attrs.includes(pending) ? [...form.attrs, pending] : form.attrs;
        setAttrDraft('');
        onSubmit({ ...form, attrs, offset: 0 });
      }}
    >
      <label>
        Service
        <select name="service" data-slash-focus class={mark('service')} value={form.service} onChange={(e) => setForm((f) => ({ ...f, service: e.currentTarget.value, operation: '' }))}>
          <option value="">All services</option>
          {(services.data ?? []).map((s) => (
            <option value={s}>{s}</option>
          ))}
          {form.service && !(services.data ?? []).includes(form.service) && <option value={form.service}>{form.service}</option>}
        </select>
      </label>
      {services.status === 'error' && <div class="tw-form-error">{services.error.message}</div>}
      <label>
        Operation
        {/* A datalist, not a select: a service can have thousands of span names, and free text still works. */}
        <input
          name="operation"
          list="tw-operations"
          class={mark('operation')}
          placeholder={form.service ? 'All operations' : 'Pick a service first'}
          disabled={!form.service}
          value={form.operation}
          onInput={(e) => set('operation', e.currentTarget.value)}
        />
        <datalist id="tw-operations">
          {opNames.slice(0, 1000).map((o) => (
            <option value={o} />
          ))}
        </datalist>
      </label>
      <label>
        Attributes
        <input
          name="attr"
          class={mark('attr', 'tags')}
          placeholder="http.route=/orders, key!=v, key=pre*, !key"
          value={attrDraft}
          onInput={(e) => setAttrDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && attrDraft.trim()) {
              e.preventDefault();
              addAttr();
            }
          }}
        />
      </label>
      {form.attrs.length > 0 && (
        <div class="tw-attr-chips">
          {form.attrs.map((a) => (
            <span class="tw-attr-chip">
              <code>{a}</code>
              <button type="button" aria-label={`Remove ${a}`} onClick={() => set('attrs', form.attrs.filter((x) => x !== a))}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <label>
        Span name contains
        <input name="q" class={mark('q')} value={form.text} placeholder="text" onInput={(e) => set('text', e.currentTarget.value)} />
      </label>
      <div class="tw-form-row">
        <label>
          Span kind
          <select name="kind" class={mark('kind')} value={form.kind} onChange={(e) => set('kind', e.currentTarget.value)}>
            <option value="">Any</option>
            {KINDS.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
        <label class="tw-check">
          <input type="checkbox" name="errors" checked={form.errorsOnly} onChange={(e) => set('errorsOnly', e.currentTarget.checked)} />
          Errors only
        </label>
      </div>
      <div class="tw-form-row">
        <label>
          Min duration
          <input name="minDuration" class={mark('minDuration')} placeholder="e.g. 100ms" value={form.minDuration} onInput={(e) => set('minDuration', e.currentTarget.value)} />
        </label>
        <label>
          Max duration
          <input name="maxDuration" class={mark('maxDuration')} placeholder="e.g. 1.5s" value={form.maxDuration} onInput={(e) => set('maxDuration', e.currentTarget.value)} />
        </label>
      </div>
      <label>
        Time range
        <select name="lookback" class={mark('lookback')} value={form.lookback} onChange={(e) => {
          const lookback = e.currentTarget.value;
          setForm((f) => lookback === 'custom' && f.start === undefined
            ? { ...f, lookback, start: Date.now() - 3_600_000, end: Date.now() }
            : { ...f, lookback });
        }}>
          {[...LOOKBACKS, 'custom'].map((l) => (
            <option value={l}>{LOOKBACK_LABELS[l] ?? l}</option>
          ))}
        </select>
      </label>
      {form.lookback === 'custom' && (
        <div class="tw-form-row">
          <label>
            From
            <input type="datetime-local" name="start" class={mark('start')} value={toLocalInput(form.start)} onInput={(e) => set('start', fromLocalInput(e.currentTarget.value))} />
          </label>
          <label>
            To
            <input type="datetime-local" name="end" class={mark('end')} value={toLocalInput(form.end)} onInput={(e) => set('end', fromLocalInput(e.currentTarget.value))} />
          </label>
        </div>
      )}
      <button type="submit" class="tw-primary">
        Find traces
      </button>
    </form>
  );
}
