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
 * A start passed by the caller (`startTime`) is left alone. An end or event
 * time the caller passes as `performance.now()` follows the same anchor; one
 * passed as a `Date` or epoch number is whole milliseconds, as the SDK reads
 * it, so a span under a millisecond ended that way may read a zero duration.
 * A wall-clock step moves the anchor at the next check, between two spans of
 * one request at worst. It relies on three SDK fields (`_performanceStartTime`,
 * `_startTimeProvided`, `_performanceOffset`); if a later SDK drops them,
 * spans keep the SDK's own start (the tests would say so).
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
  _performanceOffset?: unknown;
}

const RECHECK_MS = 1_000;

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
    s.startTime = startOf(this.anchorMs, at);
    // The SDK turns a performance.now() time a caller passes to end() or addEvent() into epoch
    // time with this offset, which it took from the whole-millisecond Date.now(): on the same
    // anchor, such an end cannot fall before the start it now follows.
    if (typeof s._performanceOffset === 'number') s._performanceOffset = this.anchorMs - performance.timeOrigin;
  }

  /** The anchor in use, epoch ms at monotonic zero (tests). */
  get anchor(): number {
    return this.anchorMs;
  }

  private reanchor(): void {
    // The wall clock was read somewhere between the two monotonic readings, and Date.now() drops
    // the fraction: the true anchor lies in (wall - after, wall - before + 1]. A pause between
    // the reads widens the window; it never puts the anchor outside it.
    const before = this.clocks.monotonicMs();
    const wall = this.clocks.wallMs();
    const after = this.clocks.monotonicMs();
    this.anchorMs = Math.min(Math.max(this.anchorMs, wall - after), wall - before + 1);
    this.checkedAtMs = after;
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * `anchorMs + atMs` as [seconds, nanoseconds], added in parts: as one double near 1.8e12 ms the
 * sum would be rounded to 0.24 µs, differently for each span, and a child could end a fraction
 * of a microsecond after its parent. The anchor's whole milliseconds are exact; the rest is small.
 */
function startOf(anchorMs: number, atMs: number): [number, number] {
  const wholeMs = Math.floor(anchorMs);
  const seconds = Math.floor(wholeMs / 1000);
  return toHrTime(wholeMs - seconds * 1000 + (anchorMs - wholeMs) + atMs, seconds);
}

/** Epoch ms (with a fraction) plus whole `seconds`, as [seconds, nanoseconds], nanoseconds below 1e9. */
export function toHrTime(epochMs: number, seconds = 0): [number, number] {
  const extra = Math.floor(epochMs / 1000);
  let nanos = Math.round((epochMs - extra * 1000) * 1e6);
  let s = seconds + extra;
  if (nanos >= 1e9) {
    s += 1;
    nanos -= 1e9;
  }
  return [s, nanos];
}
