import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute, traceHref } from './routes.ts';

describe('trace page URLs', () => {
  it('keep the chosen view, with the span last, and leave the default waterfall out', () => {
    assert.equal(traceHref('abc'), '/trace/abc');
    assert.equal(traceHref('abc', '01'), '/trace/abc?span=01');
    assert.equal(traceHref('abc', '01', 'flame'), '/trace/abc?view=flame&span=01');
    assert.equal(traceHref('abc', undefined, 'stats'), '/trace/abc?view=stats');
    assert.equal(traceHref('abc', '01', 'waterfall'), '/trace/abc?span=01');
  });

  it('open the view a link names, and the waterfall for a view it does not know', () => {
    assert.deepEqual(parseRoute('/trace/abc', '?view=flame&span=01'), { page: 'trace', traceId: 'abc', spanId: '01', view: 'flame' });
    assert.deepEqual(parseRoute('/trace/abc', '?view=stats'), { page: 'trace', traceId: 'abc', spanId: undefined, view: 'stats' });
    assert.deepEqual(parseRoute('/trace/abc', '?view=pie'), { page: 'trace', traceId: 'abc', spanId: undefined, view: 'waterfall' });
  });
});
