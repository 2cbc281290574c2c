import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { size } from './args.ts';

describe('size flags', () => {
  it('reads decimal and binary units', () => {
    assert.equal(size('max-size', '500MB'), 500e6);
    assert.equal(size('max-size', '1GiB'), 1024 ** 3);
    assert.equal(size('max-size', '2048'), 2048);
  });

  it('refuses unknown units, prototype keys included, with a usage message', () => {
    for (const raw of ['1parsec', '1constructor', '1__proto__', 'MB', '']) {
      assert.throws(() => size('max-size', raw), /--max-size must be a size like 500MB or 1GiB/);
    }
  });
});
