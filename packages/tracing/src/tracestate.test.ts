import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTraceState } from '@opentelemetry/api';
import { W3CTraceState } from './tracestate.ts';

const parse = (...fields: string[]) => W3CTraceState.parse(fields.length === 1 ? fields[0] : fields)?.serialize();
const bars = (n: number) => Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`);

describe('W3CTraceState.parse (W3C Trace Context §3.3, the W3C test suite cases)', () => {
  it('keeps a valid list in order, combining several fields, skipping empty members and OWS', () => {
    assert.equal(parse('foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'), 'foo=1,bar=2,rojo=1,congo=2,baz=3');
    assert.equal(parse('foo=1 \t , \t bar=2, \t baz=3'), 'foo=1,bar=2,baz=3');
    assert.equal(parse('\t foo=1 \t'), 'foo=1');
    assert.equal(parse('foo=1', ''), 'foo=1');
    assert.equal(parse(',,foo=1, ,'), 'foo=1');
    assert.equal(parse(''), undefined);
  });

  it('accepts every allowed key and value character, tenant@system keys and leading spaces in a value', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    const value = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== ',' && c !== '=').join('');
    assert.equal(parse(`${key}=${value}`), `${key}=${value}`);
    assert.equal(parse(`${key}@a-z0-9_-*/=${value}`), `${key}@a-z0-9_-*/=${value}`);
    assert.equal(parse('k=  v'), 'k=  v');
  });

  it('honours the key length limits: 256, tenant 241, system 14', () => {
    assert.equal(parse('foo=1', `${'z'.repeat(256)}=1`)?.startsWith('foo=1,'), true);
    assert.equal(parse('foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`)?.startsWith('foo=1,'), true);
    for (const long of [`${'z'.repeat(257)}=1`, `${'t'.repeat(242)}@v=1`, `t@${'v'.repeat(15)}=1`]) assert.equal(parse('foo=1', long), undefined);
  });

  it('discards the whole header for a repeated key, an invalid key or value, or more than 32 members', () => {
    for (const bad of ['foo=1,foo=1', 'foo=1,foo=2', 'foo =1', 'FOO=1', 'foo.bar=1', 'foo@=1,bar=2', '@foo=1,bar=2', 'foo@@bar=1,bar=2', 'foo@bar@baz=1,bar=2', 'foo=bar=baz', 'foo=,bar=3', '1abc=1', `k=${'v'.repeat(257)}`, 'k=\u00e9', 'novalue']) {
      assert.equal(parse(bad), undefined, bad);
    }
    assert.equal(parse('foo=1', 'foo=2'), undefined);
    assert.equal(W3CTraceState.parse(bars(32).join(','))?.size, 32);
    assert.equal(parse(bars(33).join(',')), undefined);
  });
});

describe('W3CTraceState.set and from', () => {
  it('puts a new or updated key first, keeps the others in order, and drops the right-most past 32 members', () => {
    const state = W3CTraceState.parse('rojo=1,congo=2') as W3CTraceState;
    assert.equal(state.set('ours', 'x').serialize(), 'ours=x,rojo=1,congo=2');
    assert.equal(state.set('congo', '3').serialize(), 'congo=3,rojo=1');
    const full = W3CTraceState.parse(bars(32).join(',')) as W3CTraceState;
    const added = full.set('ours', 'x');
    assert.equal(added.size, 32);
    assert.equal(added.serialize(), ['ours=x', ...bars(31)].join(','));
    assert.equal(state.set('BAD', 'x'), state);
    assert.equal(state.unset('rojo').serialize(), 'congo=2');
  });

  it('brings a TraceState built elsewhere within the rules before it is sent', () => {
    const foreign = createTraceState(bars(40).join(','));
    assert.ok(W3CTraceState.from(foreign).size <= 32);
    assert.equal(W3CTraceState.from({ serialize: () => 'a=1,BAD=2,a=3,b=4', get: () => undefined, set: () => foreign, unset: () => foreign }).serialize(), 'a=1,b=4');
  });
});
