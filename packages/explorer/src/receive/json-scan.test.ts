import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedPayloadError } from './decode-context.ts';
import { prepareJson } from './json-scan.ts';

describe('prepareJson', () => {
  it('quotes bare integers of 16 or more digits so JSON.parse keeps them exact', () => {
    const out = prepareJson('{"a":1750000000000000001,"b":[-9223372036854775808, 12],"c":1.5}', 10);
    assert.deepEqual(JSON.parse(out), { a: '1750000000000000001', b: ['-9223372036854775808', 12], c: 1.5 });
  });

  it('leaves digits inside strings, fractions and exponents alone', () => {
    const text = '{"s":"x:1750000000000000001","e":1.7500000000000000e18,"f":0.12345678901234567,"q":"\\"","n":[1]}';
    assert.equal(prepareJson(text, 10), text);
  });

  it('counts only the braces and brackets outside strings against the container limit', () => {
    assert.doesNotThrow(() => prepareJson(`{"s":"${'{['.repeat(100)}"}`, 1));
    assert.throws(() => prepareJson('[{},{},{}]', 3), MalformedPayloadError);
    assert.doesNotThrow(() => prepareJson('[{},{},{}]', 4));
  });

  it('scans a body of a million escaped quotes in one linear pass (quadratic work would time out)', { timeout: 20_000 }, () => {
    const text = `{"s":"${'\\"'.repeat(1_000_000)}","n":${'1'.repeat(20)}}`;
    assert.equal(JSON.parse(prepareJson(text, 10)).n, '1'.repeat(20));
  });
});
