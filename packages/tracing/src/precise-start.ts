/**
 * Span start times to the microsecond. The SDK (2.x) takes a span's start
 * from `Date.now()`, whole milliseconds, and its end from that start plus a
 * `performance.now()` duration (open-telemetry/opentelemetry-js#5019). In a
 * waterfall, spans started within one millisecond then all start "at once",
 * siblings lose their order, and a child can seem to start before its
 * parent although each duration is exact. This processor moves the start
 * the SDK chose to the monotonic clock's reading of the same instant, on a
 * wall-clock anchor, before anything else sees the span: the SDK derives the
 * end and event times from the start, so they move with it.
 *
 * The anchor (epoch ms at `performance.now() === 0`) starts at
 * `performance.timeOrigin` and is checked against `Date.now()` once a second:
 * the two clocks drift apart over days and the wall clock can be stepped
 * (NTP), which is why the SDK anchors every span to `Date.now()`. Each check
 * bounds the anchor to the millisecond `Date.now()` allows; an anchor out of
 * that window moves to its nearest edge (the least move: a slow drift moves
 * it by a hair, a step once), so starts follow the wall clock as the SDK's
 * do, within a millisecond, without jittering between checks.
 *
 * A start passed by the caller (`startTime`) is left alone. It relies on two
 * SDK fields (`_performanceStartTime`, `_startTimeProvided`); if a later SDK
 * drops them, spans keep the SDK's own start (the tests would say so).
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The two clocks, injectable so tests can drift and step them. */
export interface StartClocks {
  /** Epoch milliseconds, whole (`Date.now`). */
  wallMs(): number;
  /** Monotonic milliseconds since `originMs` (`performance.now`). */
  monotonicMs(): number;
  /** Epoch milliseconds at monotonic zero (`performance.timeOrigin`). */
  originMs: number;
}

const systemClocks: StartClocks = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  originMs: performance.timeOrigin,
};

/** What this processor reads and writes of the SDK's span (not part of its typed surface). */
interface SdkSpanInternals {
  startTime: [number, number];
  _performanceStartTime?: unknown;
  _startTimeProvided?: unknown;
}

const RECHECK_MS = 1_000;
/** Time between reading the two clocks, allowed for. */
const READ_SLACK_MS = 0.05;

export class PreciseStartProcessor implements SpanProcessor {
  private anchorMs: number;
  private checkedAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly clocks: StartClocks = systemClocks) {
    this.anchorMs = clocks.originMs;
  }

  onStart(span: Span, _parentContext: Context): void {
    const s = span as unknown as SdkSpanInternals;
    const at = s._performanceStartTime;
    if (s._startTimeProvided !== false || typeof at !== 'number') return;
    if (at - this.checkedAtMs >= RECHECK_MS) this.reanchor();
    s.startTime = toHrTime(this.anchorMs + at);
  }

  /** The anchor in use, epoch ms at monotonic zero (tests). */
  get anchor(): number {
    return this.anchorMs;
  }

  private reanchor(): void {
    const mono = this.clocks.monotonicMs();
    const implied = this.clocks.wallMs() - mono;
    // Date.now() drops the fraction, so the true anchor lies in [implied, implied + 1).
    this.anchorMs = Math.min(Math.max(this.anchorMs, implied - READ_SLACK_MS), implied + 1);
    this.checkedAtMs = mono;
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Epoch ms (with a fraction) as [seconds, nanoseconds], nanoseconds below 1e9. */
export function toHrTime(epochMs: number): [number, number] {
  let seconds = Math.floor(epochMs / 1000);
  let nanos = Math.round((epochMs - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return [seconds, nanos];
}
