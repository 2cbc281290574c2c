/**
 * Process lifecycle shared by the five services: a readiness line on stdout,
 * and on SIGINT/SIGTERM stop intake, drain, flush spans, exit. A second
 * signal exits at once; a stuck drain is cut off after a grace period.
 */
import type { Logger, TracingHandle } from '@tracewire/tracing';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface Lifecycle {
  /** Registers a step; steps run in registration order (register intake first). */
  onShutdown(name: string, run: ShutdownStep['run']): void;
  /**
   * Writes `{"msg":"ready", ...fields}` to stdout whatever LOG_LEVEL says: it
   * is the signal tests and the demo wait for.
   */
  ready(fields?: Record<string, unknown>): void;
  /** Runs the shutdown (also what the signals call). */
  shutdown(reason: string): Promise<void>;
}

export function createLifecycle(service: string, log: Logger, tracing: TracingHandle, graceMs = 10_000): Lifecycle {
  const steps: ShutdownStep[] = [];
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log.info('shutting down', { reason });
      const timer = setTimeout(() => {
        log.error('shutdown grace period over, exiting', { grace_ms: graceMs });
        process.exit(1);
      }, graceMs);
      timer.unref();
      for (const step of steps) {
        try {
          await step.run();
        } catch (error) {
          log.warn('shutdown step failed', { step: step.name, error });
        }
      }
      await tracing.shutdown();
      // What the span pipeline did in this process's life: exported, failed, dropped (queue full).
      log.info('stopped', { spans: tracing.stats() });
      process.exit(0);
    })();
    return stopping;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130); // impatient second signal
      void shutdown(signal);
    });
  }
  // Supervised by a launcher (demo, tests): its end closes our stdin pipe, and
  // we stop too rather than linger as an orphan holding ports and consumers.
  if (process.env.EXIT_WITH_PARENT === '1') {
    process.stdin.on('close', () => void shutdown('parent exited'));
    process.stdin.on('end', () => void shutdown('parent exited'));
    process.stdin.on('error', () => void shutdown('parent exited'));
    process.stdin.resume();
  }
  // A bug must be visible, but one bad request must not take the service down.
  process.on('unhandledRejection', (error) => log.error('unhandled rejection', { error }));

  return {
    onShutdown: (name, run) => void steps.push({ name, run }),
    ready: (fields = {}) =>
      void process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'info', service, msg: 'ready', ...fields })}\n`),
    shutdown,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, capped: attempt 0 → up to `baseMs`. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 5_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
