import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLAG_RANDOM, FLAG_SAMPLED, formatTraceparent, parseTraceparent } from './traceparent.ts';

const T = '12345678901234567890123456789012';
const S = '1234567890123456';

describe('parseTraceparent (W3C Trace Context §3.2, the W3C test suite cases)', () => {
  it('reads version 00 and keeps the sampled and random flags, clearing reserved bits', () => {
    assert.deepEqual(parseTraceparent(`00-${T}-${S}-01`), { traceId: T, spanId: S, flags: FLAG_SAMPLED });
    assert.deepEqual(parseTraceparent(`00-${T}-${S}-03`)?.flags, FLAG_SAMPLED | FLAG_RANDOM);
    assert.deepEqual(parseTraceparent(`00-${T}-${S}-ff`)?.flags, FLAG_SAMPLED | FLAG_RANDOM);
    assert.deepEqual(parseTraceparent(`00-${T}-${S}-04`)?.flags, 0);
  });

  it('strips OWS around the value', () => {
    for (const v of [` 00-${T}-${S}-01`, `\t00-${T}-${S}-01`, `00-${T}-${S}-01 `, `\t 00-${T}-${S}-01 \t`]) {
      assert.equal(parseTraceparent(v)?.traceId, T, JSON.stringify(v));
    }
  });

  it('parses a higher version by the version-00 layout, ending or followed by a dash', () => {
    assert.equal(parseTraceparent(`cc-${T}-${S}-01`)?.traceId, T);
    assert.equal(parseTraceparent(`cc-${T}-${S}-01-what-the-future-will-be-like`)?.traceId, T);
    assert.equal(parseTraceparent(`cc-${T}-${S}-01.what-the-future-will-be-like`), undefined);
  });

  it('restarts the trace for version ff, extra fields on 00, bad lengths, bad characters, zero ids, two fields', () => {
    const invalid = [
      `ff-${T}-${S}-01`,
      `00-${T}-${S}-01.`,
      `00-${T}-${S}-01-what-the-future-will-be-like`,
      `.0-${T}-${S}-01`,
      `000-${T}-${S}-01`,
      `0-${T}-${S}-01`,
      `00-${'0'.repeat(32)}-${S}-01`,
      `00-${T}-${'0'.repeat(16)}-01`,
      `00-.${T.slice(1)}-${S}-01`,
      `00-${T}3-${S}-01`,
      `00-${T.slice(1)}-${S}-01`,
      `00-${T}-${S}7-01`,
      `00-${T}-${S.slice(1)}-01`,
      `00-${T}-${S}-.0`,
      `00-${T}-${S}-001`,
      `00-${T}-${S}-1`,
      `00-${T.toUpperCase().replace(/1/g, 'A')}-${S}-01`,
      '',
    ];
    for (const v of invalid) assert.equal(parseTraceparent(v), undefined, v);
    assert.equal(parseTraceparent([`00-${T}-${S}-01`, `00-${T}-${S}-01`]), undefined);
    assert.equal(parseTraceparent([`00-${T}-${S}-01`])?.traceId, T);
    assert.equal(parseTraceparent(undefined), undefined);
  });

  it('writes version 00 with only the known flags', () => {
    assert.equal(formatTraceparent(T, S, 0xff), `00-${T}-${S}-03`);
    assert.equal(formatTraceparent(T, S, FLAG_RANDOM), `00-${T}-${S}-02`);
  });
});
