import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PALETTE, createColorRegistry } from './colors.ts';

test('the first services get distinct colours, remembered across registries', () => {
  let saved: string | null = null;
  const store = { get: () => saved, set: (v: string) => { saved = v; } };
  const color = createColorRegistry(store);
  const names = Array.from({ length: PALETTE.length }, (_, i) => `svc-${i}`);
  const colors = names.map(color);
  assert.equal(new Set(colors).size, PALETTE.length);
  assert.equal(color('svc-3'), colors[3]);
  const again = createColorRegistry(store);
  assert.equal(again('svc-7'), colors[7]);
  assert.ok(PALETTE.includes(again('one-more') as (typeof PALETTE)[number]));
});

test('works without storage and with a corrupt entry', () => {
  assert.equal(createColorRegistry(undefined)('a'), PALETTE[0]);
  assert.equal(createColorRegistry({ get: () => '{not json', set: () => undefined })('a'), PALETTE[0]);
});
