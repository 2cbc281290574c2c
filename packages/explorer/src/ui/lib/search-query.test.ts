import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultForm, formFromQuery, parseTraceId, queryFromForm } from './search-query.ts';
import { parseRoute, traceHref } from './routes.ts';

test('a search form survives a round trip through the URL', () => {
  const form = {
    ...defaultForm(), service: 'orders', operation: 'PlaceOrder', attrs: ['http.route=/orders', '!user.id'],
    kind: 'server', errorsOnly: true, text: 'reserve', minDuration: '100ms', maxDuration: '2s', sort: 'longest' as const, offset: 40,
  };
  const q = queryFromForm(form);
  assert.equal(q.toString(), 'service=orders&operation=PlaceOrder&attr=http.route%3D%2Forders&attr=%21user.id&kind=server&status=error&q=reserve&minDuration=100ms&maxDuration=2s&lookback=1h&offset=40&sort=longest');
  assert.deepEqual(formFromQuery(q), form);
});

test('a custom range replaces the lookback', () => {
  const q = queryFromForm({ ...defaultForm(), lookback: 'custom', start: 1000, end: 2000 });
  assert.equal(q.get('lookback'), null);
  assert.equal(q.get('start'), '1000');
  assert.equal(formFromQuery(q).lookback, 'custom');
});

test('bad numbers in the URL fall back to defaults', () => {
  const f = formFromQuery(new URLSearchParams('limit=abc&offset=-5&sort=weird'));
  assert.equal(f.limit, 20);
  assert.equal(f.offset, 0);
  assert.equal(f.sort, 'recent');
});

test('trace ids are normalised; anything else is refused', () => {
  assert.equal(parseTraceId(' 4BF92F3577B34DA6A3CE929D0E0E4736 '), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(parseTraceId('abc'), '0'.repeat(29) + 'abc');
  assert.equal(parseTraceId('<script>'), undefined);
});

test('routes: search, trace with span deep link, map, unknown', () => {
  assert.deepEqual(parseRoute('/trace/abc', '?span=01'), { page: 'trace', traceId: 'abc', spanId: '01', view: 'waterfall' });
  assert.equal(parseRoute('/', '').page, 'search');
  assert.equal(parseRoute('/map', '').page, 'map');
  assert.equal(parseRoute('/nope', '').page, 'notfound');
  assert.equal(traceHref('abc', '01'), '/trace/abc?span=01');
});
