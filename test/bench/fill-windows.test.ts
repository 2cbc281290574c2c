import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuAt, fillRates } from '../../bench/support/fill-windows.ts';

/** Acknowledgement times: `perSecond` acks a second for `seconds` seconds from `from`, evenly spaced, the last 1 ms before the end. */
function acks(from: number, seconds: number, perSecond: number): number[] {
  return Array.from({ length: seconds * perSecond }, (_, i) => from + Math.floor(((i + 1) * 1000) / perSecond) - 1);
}

describe('fill rates', () => {
  it('reports the first and last window rates and their ratio when the fill slows down', () => {
    // 100 acks/s of 512 spans for 60 s, then 80 acks/s for 60 s.
    const times = [...acks(0, 60, 100), ...acks(60_000, 60, 80)];
    const r = fillRates(times, 512, 0, 60_000);
    assert.equal(r.firstRate, 100 * 512);
    assert.equal(r.lastRate, 80 * 512);
    assert.equal(r.keep, 0.8);
    assert.equal(r.overlap, false);
    assert.deepEqual(r.series.slice(0, 2), [100 * 512, 80 * 512]);
  });

  it('counts the whole fill from the senders start to the last acknowledgement', () => {
    const times = acks(1_000, 10, 50);
    const r = fillRates(times, 10, 1_000, 2_000);
    assert.equal(r.durationMs, times.at(-1)! + 1 - 1_000);
    assert.equal(r.wholeRate, (500 * 10) / (r.durationMs / 1000));
  });

  it('says the windows overlap when the fill is shorter than two windows, and clips a window to the fill', () => {
    const times = acks(0, 3, 100);
    const r = fillRates(times, 1, 0, 10_000);
    assert.equal(r.overlap, true);
    assert.equal(r.windowMs, r.durationMs);
    assert.equal(r.firstRate, r.lastRate);
  });

  it('gives spans per explorer CPU-second in each window from interpolated CPU samples', () => {
    const times = [...acks(0, 10, 100), ...acks(10_000, 10, 100)];
    // The explorer used 0.5 s of CPU per second in the first 10 s and 1 s per second after.
    const cpu = [
      { t: 0, cpu: 0 },
      { t: 10_000, cpu: 5 },
      { t: 20_000, cpu: 15 },
    ];
    const r = fillRates(times, 1, 0, 10_000, cpu);
    assert.equal(r.firstPerCpu, 1000 / 5);
    assert.equal(r.lastPerCpu, 1000 / 10);
  });

  it('has no CPU figure without CPU samples', () => {
    assert.ok(Number.isNaN(fillRates(acks(0, 2, 10), 1, 0, 1_000).firstPerCpu));
    assert.ok(Number.isNaN(cpuAt([], 5)));
  });

  it('holds the first or last CPU sample outside the sampled span', () => {
    const cpu = [
      { t: 100, cpu: 1 },
      { t: 200, cpu: 3 },
    ];
    assert.equal(cpuAt(cpu, 50), 1);
    assert.equal(cpuAt(cpu, 150), 2);
    assert.equal(cpuAt(cpu, 250), 3);
  });
});
