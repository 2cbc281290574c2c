/**
 * Open a trace from a file (`/open`): an OTLP JSON file, as the trace page's
 * "Download OTLP JSON" writes it or as the OpenTelemetry Collector's file
 * exporter does, converted in the browser (lib/otlp-file.ts) and viewed
 * without sending it to the explorer. One trace opens directly; a file with
 * several lists them.
 */
import { useState } from 'preact/hooks';
import type { TraceView } from '../../../api-types.ts';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDurationNs } from '../../lib/format.ts';
import { MAX_FILE_BYTES, openOtlpJson, type OpenedFile } from '../../lib/otlp-file.ts';
import { traceHref } from '../../lib/routes.ts';
import { keepOpened } from '../../local-traces.ts';
import { Link, navigate } from '../../router.tsx';
import './open-file.css';

type State = { kind: 'idle' } | { kind: 'reading'; name: string } | { kind: 'error'; message: string } | { kind: 'opened'; name: string; file: OpenedFile };

async function readFile(file: File): Promise<State> {
  if (file.size > MAX_FILE_BYTES) {
    return { kind: 'error', message: `${file.name} is ${(file.size / 1024 / 1024).toFixed(0)} MB: the page opens files up to ${MAX_FILE_BYTES / 1024 / 1024} MB.` };
  }
  try {
    const opened = openOtlpJson(await file.text());
    for (const t of opened.traces) keepOpened(t, file.name);
    return { kind: 'opened', name: file.name, file: opened };
  } catch (err) {
    // OtlpFileError carries a readable message; anything else is still the file's fault, not a reason to crash.
    return { kind: 'error', message: `${file.name}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function TraceItem({ t }: { t: TraceView }) {
  const root = t.spans.find((s) => !s.parentSpanId) ?? t.spans[0];
  return (
    <li class="tw-result">
      <Link href={traceHref(t.traceId)} class="tw-result-link">
        <div class="tw-result-head">
          <span class="tw-result-title">
            {root && <ServiceChip name={root.service} />}
            <span class="tw-result-root">{root?.name ?? t.traceId}</span>
          </span>
          <span class="tw-result-duration">{formatDurationNs(Number(t.summary.durationNs))}</span>
        </div>
        <div class="tw-result-facts">
          <span>{t.summary.spanCount} spans</span>
          <span>{t.summary.errorCount} error{t.summary.errorCount === 1 ? '' : 's'}</span>
          <code>{t.traceId}</code>
        </div>
      </Link>
    </li>
  );
}

export function OpenFilePage() {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [over, setOver] = useState(false);
  const open = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    setState({ kind: 'reading', name: file.name });
    const next = await readFile(file);
    setState(next);
    if (next.kind === 'opened' && next.file.traces.length === 1 && next.file.rejected === 0) navigate(traceHref(next.file.traces[0]!.traceId));
  };
  return (
    <div class="tw-open">
      <h1>Open a trace from a file</h1>
      <p class="tw-muted">
        OTLP JSON: a file saved with "Download OTLP JSON", or an export of another tool such as the OpenTelemetry Collector's file
        exporter. The trace is read in this browser tab only: nothing is sent to or stored in the explorer.
      </p>
      <label
        class={`tw-dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void open(e.dataTransfer?.files[0]);
        }}
      >
        <input type="file" accept=".json,.jsonl,application/json" aria-label="OTLP JSON file" onChange={(e) => void open(e.currentTarget.files?.[0])} />
        <span>Drop a file here or <u>choose one</u> (up to {MAX_FILE_BYTES / 1024 / 1024} MB)</span>
      </label>
      {state.kind === 'reading' && <div class="tw-empty">Reading {state.name}…</div>}
      {state.kind === 'error' && <div class="tw-error-box" role="alert">{state.message}</div>}
      {state.kind === 'opened' && (
        <>
          {state.file.rejected > 0 && (
            <div class="tw-notice" role="status">
              {state.file.rejected} span{state.file.rejected === 1 ? ' was' : 's were'} left out: {state.file.messages.join('; ')}
            </div>
          )}
          <h2>
            {state.file.traces.length} trace{state.file.traces.length === 1 ? '' : 's'} in {state.name}
          </h2>
          <ol class="tw-results">
            {state.file.traces.map((t) => (
              <TraceItem t={t} />
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
