import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { traceHashOfHex } from './span-facts.ts';
import { TraceFilter } from './trace-filter.ts';

const ids = (n: number) => Array.from({ length: n }, () => randomBytes(16).toString('hex'));

describe('a segment trace filter', () => {
  it('says yes to every trace it was built from or given later, whatever the count', () => {
    for (const n of [0, 1, 31, 32, 33, 5000, 60_000]) {
      const held = ids(n);
      const filter = TraceFilter.of(held.map(traceHashOfHex));
      for (const id of held) assert.ok(filter.mayHold(traceHashOfHex(id)), `${n} traces: ${id}`);
      const late = ids(50);
      for (const id of late) filter.add(traceHashOfHex(id));
      for (const id of late) assert.ok(filter.mayHold(traceHashOfHex(id)));
    }
  });

  it('says no to nearly every trace it does not hold (about 1.4% pass with 16 bits a trace)', () => {
    const filter = TraceFilter.of(ids(30_000).map(traceHashOfHex));
    const others = ids(100_000);
    const passed = others.filter((id) => filter.mayHold(traceHashOfHex(id))).length;
    assert.ok(passed < 3_000, `${passed} of 100,000 absent traces passed`);
  });
});
