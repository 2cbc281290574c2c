/** Linux /proc readings for child processes: CPU time and memory, whatever else the machine runs. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/** CPU time of `pid`'s main thread alone (its event loop and the JS on it), seconds; NaN once it is gone. */
export function mainThreadCpuSeconds(pid: number): number {
  return cpuSeconds(`${pid}/task/${pid}`);
}
