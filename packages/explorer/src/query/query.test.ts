import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { criticalPath } from './critical-path.ts';
import { parseJaegerTags } from './jaeger-v1.ts';
import { ParamError, parseDuration } from './params.ts';
import { parseAttrExpr } from './search.ts';
import { treeDepth } from './trace-tree.ts';

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

  it('follows the last-finishing child back through the trace', () => {
    const s = (spanId: string, parentSpanId: string | null, start: number, end: number) => ({ spanId, parentSpanId, start: BigInt(start), end: BigInt(end) });
    // root 0-100: b 20-90 ends last (c under it), then a 10-40 covers 10-20, d 5-15 covers 5-10;
    // e 25-35 runs entirely while b does, so it is not on the path.
    const path = criticalPath([
      s('root', null, 0, 100), s('a', 'root', 10, 40), s('b', 'root', 20, 90), s('c', 'b', 30, 80), s('d', 'root', 5, 15), s('e', 'root', 25, 35),
    ]);
    assert.deepEqual(new Set(path), new Set(['root', 'b', 'c', 'a', 'd']));
    assert.deepEqual(criticalPath([]), []);
  });

  it('measures tree depth, treating orphans as roots and surviving cycles', () => {
    assert.equal(treeDepth([{ spanId: 'a', parentSpanId: null }, { spanId: 'b', parentSpanId: 'a' }, { spanId: 'c', parentSpanId: 'b' }]), 3);
    assert.equal(treeDepth([{ spanId: 'x', parentSpanId: 'missing' }]), 1);
    assert.ok(treeDepth([{ spanId: 'a', parentSpanId: 'b' }, { spanId: 'b', parentSpanId: 'a' }]) >= 1);
  });
});
