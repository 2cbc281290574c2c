import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relativeNs } from './ns-time.ts';

describe('relativeNs', () => {
  it('gives exact offsets from the earliest timestamp, past 2^53', () => {
    const r = relativeNs(['1764650000123456789', '1764650000123456790', '1764650003000000001']);
    assert.ok(r);
    assert.deepEqual([...r.offsets], [0, 1, 2_876_543_212]);
    assert.equal(r.minNs, 1764650000123456789n);
  });

  it('handles timestamps under one second and an empty list', () => {
    assert.deepEqual([...relativeNs(['5', '123'])!.offsets], [0, 118]);
    assert.equal(relativeNs(['5', '123'])!.minNs, 5n);
    assert.equal(relativeNs([])!.offsets.length, 0);
  });

  it('refuses what it cannot do exactly: a non-decimal or a spread past 2^53 ns', () => {
    assert.equal(relativeNs(['12', '-3']), undefined);
    assert.equal(relativeNs(['12', '1e9']), undefined);
    assert.equal(relativeNs(['0', '1764650000123456789']), undefined);
  });
});
