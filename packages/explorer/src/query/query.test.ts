import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJaegerTags } from './jaeger-v1.ts';
import { ParamError, parseDuration } from './params.ts';
import { parseAttrExpr } from './search.ts';

describe('query helpers', () => {
  it('parses Go durations and days', () => {
    assert.equal(parseDuration('d', '1.2s'), 1_200_000_000n);
    assert.equal(parseDuration('d', '100ms'), 100_000_000n);
    assert.equal(parseDuration('d', '1h30m'), 5_400_000_000_000n);
    assert.equal(parseDuration('d', '2d'), 172_800_000_000_000n);
    assert.equal(parseDuration('d', '250us'), 250_000n);
    assert.throws(() => parseDuration('minDuration', '10'), (e: unknown) => e instanceof ParamError && e.parameter === 'minDuration');
    assert.throws(() => parseDuration('x', '1s junk'), ParamError);
  });

  it('parses attribute expressions', () => {
    assert.deepEqual(parseAttrExpr('a=b'), { op: 'eq', key: 'a', value: 'b' });
    assert.deepEqual(parseAttrExpr('a=b=c'), { op: 'eq', key: 'a', value: 'b=c' });
    assert.deepEqual(parseAttrExpr('a!=b'), { op: 'ne', key: 'a', value: 'b' });
    assert.deepEqual(parseAttrExpr('a=pre*'), { op: 'prefix', key: 'a', value: 'pre' });
    assert.deepEqual(parseAttrExpr('a'), { op: 'exists', key: 'a' });
    assert.deepEqual(parseAttrExpr('!a'), { op: 'absent', key: 'a' });
    assert.throws(() => parseAttrExpr('=b'), ParamError);
    assert.throws(() => parseAttrExpr('!'), ParamError);
  });

  it('parses Jaeger tags as JSON or logfmt', () => {
    assert.deepEqual(parseJaegerTags('{"error":"true","n":5}'), [
      { op: 'eq', key: 'error', value: 'true' },
      { op: 'eq', key: 'n', value: '5' },
    ]);
    assert.deepEqual(parseJaegerTags('a=1 b="two words"'), [
      { op: 'eq', key: 'a', value: '1' },
      { op: 'eq', key: 'b', value: 'two words' },
    ]);
    assert.throws(() => parseJaegerTags('{bad'), ParamError);
  });
});
