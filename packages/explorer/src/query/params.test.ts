import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NS, ParamError, checkOrder, many, one, parseDuration, parseIntParam, parseMicros, parseMillis, parseTimeMsOrIso, startFromLookback } from './params.ts';

const rejects = (fn: () => unknown, parameter: string) => assert.throws(fn, (e: unknown) => e instanceof ParamError && e.parameter === parameter && e.message.includes(parameter));

describe('query parameters stay inside what the store can bind', () => {
  it('computes durations exactly in integer nanoseconds', () => {
    assert.equal(parseDuration('d', '1.5h'), 5_400_000_000_000n);
    assert.equal(parseDuration('d', '0.000000001s'), 1n);
    assert.equal(parseDuration('d', '1h30m15s250ms'), 5_415_250_000_000n);
    assert.equal(parseDuration('d', '106751d'), 106751n * 86_400_000_000_000n);
  });

  it('refuses durations past 2^63 − 1 ns or longer than 64 characters, naming the parameter', () => {
    rejects(() => parseDuration('lookback', '106752d'), 'lookback');
    rejects(() => parseDuration('minDuration', `${'9'.repeat(400)}h`), 'minDuration');
    rejects(() => parseDuration('maxDuration', `1${'0'.repeat(400)}ns`), 'maxDuration');
    rejects(() => parseDuration('maxDuration', '1s'.repeat(40)), 'maxDuration');
  });

  it('refuses times past 2262 or before 1970', () => {
    assert.equal(parseTimeMsOrIso('start', '9223372036854'), 9_223_372_036_854_000_000n);
    rejects(() => parseTimeMsOrIso('start', '9223372036855'), 'start');
    rejects(() => parseTimeMsOrIso('end', '0000-01-01T00:00:00Z'), 'end');
    rejects(() => parseTimeMsOrIso('end', '275760-09-13T00:00:00Z'), 'end');
    assert.equal(parseMicros('start', '9223372036854775'), 9_223_372_036_854_775_000n);
    rejects(() => parseMicros('start', '9223372036854776'), 'start');
    rejects(() => parseMillis('endTs', '9'.repeat(40)), 'endTs');
    assert.ok(parseMillis('lookback', '9223372036854') <= MAX_NS);
  });

  it('bounds whole numbers, clamps a lookback at the epoch and orders windows', () => {
    rejects(() => parseIntParam('limit', '9'.repeat(40), 1, 1000), 'limit');
    rejects(() => parseIntParam('offset', '-1', 0, 10), 'offset');
    assert.equal(startFromLookback(5n, 10n), 0n);
    assert.equal(startFromLookback(10n, 4n), 6n);
    rejects(() => checkOrder({ startNs: 2n, endNs: 1n }), 'start');
    rejects(() => checkOrder({ minDurationNs: 2n, maxDurationNs: 1n }), 'minDuration');
    checkOrder({ startNs: 1n, endNs: 1n, minDurationNs: 1n, maxDurationNs: 1n });
  });

  it('bounds value lengths and repeats', () => {
    rejects(() => one(new URLSearchParams({ service: 'x'.repeat(1025) }), 'service'), 'service');
    assert.equal(one(new URLSearchParams({ service: 'x'.repeat(1024) }), 'service')?.length, 1024);
    const attrs = new URLSearchParams(Array.from({ length: 17 }, (_, i) => ['attr', `k${i}`]));
    rejects(() => many(attrs, 'attr', 16), 'attr');
    assert.equal(many(new URLSearchParams('attr=a&attr=&attr=%20'), 'attr', 1).length, 1, 'blank values do not count');
  });
});
