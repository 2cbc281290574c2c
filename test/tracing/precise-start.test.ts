import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { withSpan } from '../../packages/tracing/src/index.ts';
import { PreciseStartProcessor, type StartClocks, toHrTime } from '../../packages/tracing/src/precise-start.ts';
import { memoryTracing, parentId } from '../support/memory-tracing.ts';

/** Microseconds since 2023-11-14, exact: epoch microseconds in a double would round to 0.25 µs. */
const us = (t: ReadableSpan['startTime']): number => (t[0] - 1_700_000_000) * 1e6 + t[1] / 1e3;

describe('span start times to the microsecond (the SDK alone gives whole milliseconds)', () => {
  it('spans started within one millisecond keep their order, and children sit inside their parent', async () => {
    const tracing = memoryTracing({ serviceName: 'precise' });
    try {
      withSpan('parent', () => {
        for (let i = 0; i < 20; i++) withSpan(`child-${i}`, () => undefined);
      });
      const spans = await tracing.spans();
      const parent = spans.find((s) => s.name === 'parent') as ReadableSpan;
      const children = spans.filter((s) => s.name.startsWith('child-')).sort((a, b) => Number(a.name.slice(6)) - Number(b.name.slice(6)));
      assert.equal(children.length, 20);
      for (const [i, c] of children.entries()) {
        assert.equal(parentId(c), parent.spanContext().spanId);
        assert.ok(us(c.startTime) >= us(parent.startTime), `${c.name} starts after its parent`);
        assert.ok(us(c.endTime) <= us(parent.endTime), `${c.name} ends before its parent`);
        const previous = children[i - 1];
        if (previous) assert.ok(us(c.startTime) >= us(previous.endTime), `${c.name} starts after ${previous.name} ended`);
        assert.ok(Math.abs(us(c.endTime) - us(c.startTime) - (c.duration[0] * 1e6 + c.duration[1] / 1e3)) < 0.1, 'duration = end - start');
      }
      // 21 spans in a few hundred microseconds: with whole milliseconds most would share one start.
      assert.ok(new Set(children.map((c) => us(c.startTime))).size >= 19, 'starts are distinct');
      assert.ok(
        children.some((c) => c.startTime[1] % 1_000_000 !== 0),
        'starts carry a sub-millisecond part',
      );
    } finally {
      await tracing.shutdown();
    }
  });

  it('a start is the wall clock instant the span began, within a millisecond; events fall inside the span', async () => {
    const tracing = memoryTracing({ serviceName: 'precise' });
    try {
      const before = Date.now();
      withSpan('timed', (span) => span.addEvent('halfway'));
      const after = Date.now();
      const span = await tracing.one('timed');
      const startMs = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
      assert.ok(startMs >= before - 1 && startMs <= after + 1, `start ${startMs} within [${before}, ${after}]`);
      const event = span.events[0];
      assert.ok(event && us(event.time) >= us(span.startTime) && us(event.time) <= us(span.endTime));
    } finally {
      await tracing.shutdown();
    }
  });

  it('an end and an event the caller times with performance.now() follow the precise start', async () => {
    const tracing = memoryTracing({ serviceName: 'precise' });
    try {
      const span = trace.getTracer('t').startSpan('caller-timed');
      const eventAt = performance.now();
      span.addEvent('marked', eventAt);
      const endAt = performance.now();
      span.end(endAt);
      const done = await tracing.one('caller-timed');
      const event = done.events[0];
      assert.ok(event && us(event.time) >= us(done.startTime), 'the event is not before the start');
      assert.ok(us(done.endTime) > us(done.startTime), 'the end is after the start, not clamped to it');
      assert.ok(done.duration[0] > 0 || done.duration[1] > 0, 'a non-zero duration');
      assert.ok(Math.abs(us(done.endTime) - us(event?.time ?? done.endTime) - (endAt - eventAt) * 1000) < 1, 'the two caller times keep their distance');
    } finally {
      await tracing.shutdown();
    }
  });

  it('a start the caller gives is kept as given', async () => {
    const tracing = memoryTracing({ serviceName: 'precise' });
    try {
      withSpan('given', { startTime: 1_700_000_000_123 }, () => undefined);
      const span = await tracing.one('given');
      assert.deepEqual(span.startTime, [1_700_000_000, 123_000_000]);
    } finally {
      await tracing.shutdown();
    }
  });
});

/** A stand-in for the SDK span fields the processor uses, started at monotonic `at` ms. */
function sdkSpan(at: number): Span & { startTime: [number, number] } {
  return { _performanceStartTime: at, _startTimeProvided: false, startTime: [0, 0] } as unknown as Span & { startTime: [number, number] };
}

function clocks(originMs: number): StartClocks & { mono: number; wallOffset: number } {
  const c = {
    originMs,
    mono: 0,
    wallOffset: 0,
    monotonicMs: () => c.mono,
    // Date.now() floors; wallOffset is how far the wall clock has moved from the monotonic one.
    wallMs: () => Math.floor(originMs + c.mono + c.wallOffset),
  };
  return c;
}

describe('the wall-clock anchor of precise starts', () => {
  it('stays on performance.timeOrigin while Date.now() agrees with it to the millisecond', () => {
    const c = clocks(1_700_000_000_000.4);
    const p = new PreciseStartProcessor(c);
    for (let t = 0; t < 60_000; t += 250) {
      c.mono = t + 0.37;
      const span = sdkSpan(c.mono);
      p.onStart(span, ROOT_CONTEXT);
      assert.equal(p.anchor, 1_700_000_000_000.4);
      const [seconds, nanos] = span.startTime;
      const expectedMs = 0.4 + c.mono; // past 1_700_000_000 s
      assert.ok(Math.abs((seconds - 1_700_000_000) * 1e9 + nanos - expectedMs * 1e6) < 1_000, 'the start is the anchor plus the monotonic reading');
    }
  });

  it('follows a wall-clock step once, by the least move, and does not jitter after it', () => {
    const c = clocks(1_700_000_000_000.4);
    const p = new PreciseStartProcessor(c);
    c.mono = 10;
    p.onStart(sdkSpan(c.mono), ROOT_CONTEXT);
    c.wallOffset = 50; // NTP stepped the wall clock 50 ms forward
    c.mono = 2_000;
    p.onStart(sdkSpan(c.mono), ROOT_CONTEXT);
    const stepped = p.anchor;
    assert.ok(stepped - 1_700_000_000_000.4 >= 49 && stepped - 1_700_000_000_000.4 <= 50.05, `moved ${stepped - 1_700_000_000_000.4} ms`);
    for (let t = 3_000; t < 30_000; t += 1_000) {
      c.mono = t + 0.9;
      p.onStart(sdkSpan(c.mono), ROOT_CONTEXT);
    }
    const wallAtMono = (m: number) => 1_700_000_000_000.4 + m + 50;
    assert.ok(Math.abs(p.anchor + c.mono - wallAtMono(c.mono)) < 1, 'starts agree with the stepped wall clock within 1 ms');
  });

  it('a pause between reading the two clocks widens the window instead of moving the anchor', () => {
    const c = clocks(1_700_000_000_000.4);
    let reads = 0;
    // The second monotonic read of the first check comes 30 ms late (the thread was descheduled).
    const p = new PreciseStartProcessor({ ...c, monotonicMs: () => (reads++ === 1 ? c.mono + 30 : c.mono) });
    c.mono = 5;
    p.onStart(sdkSpan(c.mono), ROOT_CONTEXT);
    assert.equal(p.anchor, 1_700_000_000_000.4);
  });

  it('a slow drift between the clocks moves the anchor by the whole milliseconds Date.now() shows of it, one at a time', () => {
    const c = clocks(1_700_000_000_000);
    const p = new PreciseStartProcessor(c);
    const moves: number[] = [];
    let last = p.anchor;
    for (let t = 0; t < 3_600_000; t += 1_000) {
      c.mono = t;
      c.wallOffset = t * 1e-6; // 1 ppm: 3.6 ms over the hour
      p.onStart(sdkSpan(c.mono), ROOT_CONTEXT);
      if (p.anchor !== last) {
        moves.push(p.anchor - last);
        last = p.anchor;
      }
    }
    // Date.now() floors, so of the 3.6 ms it shows 3, each when it first appears: no jitter back.
    assert.deepEqual(moves, [1, 1, 1]);
    assert.equal(p.anchor - 1_700_000_000_000, 3);
  });

  it('epoch milliseconds become [seconds, nanoseconds] with the nanoseconds below one second', () => {
    const [seconds, nanos] = toHrTime(1_700_000_000_123.456);
    assert.equal(seconds, 1_700_000_000);
    assert.ok(Math.abs(nanos - 123_456_000) < 1_000, 'a double holds epoch ms to a fraction of a microsecond');
    assert.deepEqual(toHrTime(123.000456, 1_700_000_000), [1_700_000_000, 123_000_456], 'whole seconds apart keep the nanoseconds');
    assert.deepEqual(toHrTime(1_500.25, 10), [11, 500_250_000]);
    assert.deepEqual(toHrTime(1999.99999999), [2, 0]);
    assert.deepEqual(toHrTime(0.5), [0, 500_000]);
  });
});
