/** Linux /proc readings for child processes: CPU time and memory, whatever else the machine runs. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU time the process (or `pid/task/tid`: one thread) has used (user + system), seconds; NaN once it is gone. */
export function cpuSeconds(pid: number | string): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th (clock ticks, 100 Hz).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** A /proc/<pid>/status memory field (VmHWM = peak RSS, VmRSS = current), MiB. */
export function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Pins every thread of `pid` to the CPUs in `cpus` (taskset list, e.g. "0" or "0,1"); threads it
 * starts later inherit that. False when taskset is missing or refuses (the bench then says so).
 */
export function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Setup B of the service-overhead bench: the receiver (explorer or sink) alone on CPU 1, the
 * services and this process, which generates the load, on CPU 0. With the load generator beside
 * the receiver, the receiver's CPU slowed the load and so the shop exporting to it
 * (docs/performance.md, section 2). `loadCpus` moves the load (pin-check.ts compares layouts). False
 * when there are fewer than two CPUs or taskset refuses.
 */
export function pinSetupB(receiverPid: number, servicePids: readonly number[], loadCpus = '0'): boolean {
  if (cpus().length < 2) return false;
  let ok = pin(receiverPid, '1') && pin(process.pid, loadCpus);
  for (const pid of servicePids) ok = pin(pid, '0') && ok;
  return ok;
}

/** Lets this process run on every CPU again. */
export function unpinSelf(): void {
  pin(process.pid, `0-${cpus().length - 1}`);
}

/** CPU time of `pid`'s main thread alone (its event loop and the JS on it), seconds; NaN once it is gone. */
export function mainThreadCpuSeconds(pid: number): number {
  return cpuSeconds(`${pid}/task/${pid}`);
}
