/**
 * Rates over a fill (explorer-fill) from its acknowledgement times: spans/s
 * in the first and the last window of the fill (issue 12: "the last minute
 * must be ≥ 80% of the first"), over the whole fill, in consecutive windows,
 * and per explorer CPU-second in the first and last window from CPU-time
 * samples. Pure arithmetic on given times, so it is tested without a clock.
 */

export interface CpuSample {
  /** ms since epoch */
  t: number;
  /** the explorer's CPU seconds so far */
  cpu: number;
}

export interface FillRates {
  windowMs: number;
  /** From the senders' start to the last acknowledgement. */
  durationMs: number;
  /** The two windows share acknowledgements: the fill was shorter than two windows. */
  overlap: boolean;
  firstRate: number;
  lastRate: number;
  /** lastRate / firstRate */
  keep: number;
  wholeRate: number;
  /** Spans per explorer CPU-second in each window; NaN without CPU samples. */
  firstPerCpu: number;
  lastPerCpu: number;
  /** spans/s in consecutive windows from the start (the last one over its own, shorter length). */
  series: number[];
}

/**
 * The explorer's CPU seconds at `t`, interpolated between the samples around it; before the first
 * or after the last sample, that sample's (the bench samples just before the start and just after
 * the last acknowledgement). NaN without samples.
 */
export function cpuAt(samples: CpuSample[], t: number): number {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return Number.NaN;
  if (t <= first.t) return first.cpu;
  if (t >= last.t) return last.cpu;
  let i = 1;
  while ((samples[i] as CpuSample).t < t) i++;
  const a = samples[i - 1] as CpuSample;
  const b = samples[i] as CpuSample;
  return a.cpu + ((b.cpu - a.cpu) * (t - a.t)) / (b.t - a.t);
}

/** Acknowledged spans with a time in [from, to). `ackTimes` sorted. */
function spansBetween(ackTimes: number[], spansPerAck: number, from: number, to: number): number {
  let n = 0;
  for (const t of ackTimes) if (t >= from && t < to) n++;
  return n * spansPerAck;
}

/** `ackTimes`: sorted ms of every acknowledged request, each of `spansPerAck` spans; `startAt`: when the senders began. */
export function fillRates(ackTimes: number[], spansPerAck: number, startAt: number, windowMs: number, cpu: CpuSample[] = []): FillRates {
  const end = (ackTimes.at(-1) ?? startAt) + 1; // windows are half-open: the last ack falls inside the last one
  const durationMs = end - startAt;
  // A fill shorter than a window: both windows are the whole fill.
  windowMs = Math.min(windowMs, durationMs);
  const first = spansBetween(ackTimes, spansPerAck, startAt, startAt + windowMs);
  const last = spansBetween(ackTimes, spansPerAck, end - windowMs, end);
  const perCpu = (spans: number, from: number, to: number): number => spans / (cpuAt(cpu, to) - cpuAt(cpu, from));
  const series: number[] = [];
  for (let from = startAt; from < end; from += windowMs) {
    const to = Math.min(end, from + windowMs);
    series.push(spansBetween(ackTimes, spansPerAck, from, to) / ((to - from) / 1000));
  }
  const firstRate = first / (windowMs / 1000);
  const lastRate = last / (windowMs / 1000);
  return {
    windowMs,
    durationMs,
    overlap: durationMs < 2 * windowMs,
    firstRate,
    lastRate,
    keep: lastRate / firstRate,
    wholeRate: (ackTimes.length * spansPerAck) / (durationMs / 1000),
    firstPerCpu: perCpu(first, startAt, startAt + windowMs),
    lastPerCpu: perCpu(last, end - windowMs, end),
    series,
  };
}
