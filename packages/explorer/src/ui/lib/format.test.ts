import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTotal } from './format.ts';

test('a search total shows with thousands separators, and with + when counting stopped there', () => {
  assert.equal(formatTotal(20_834, false), '20,834');
  assert.equal(formatTotal(10_000, true), '10,000+');
  assert.equal(formatTotal(0, false), '0');
});
