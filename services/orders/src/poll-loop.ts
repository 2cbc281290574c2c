/**
 * The loop the outbox relays and the release retrier share: run a round;
 * when it found nothing to do, wait for the poll interval (wake() ends that
 * wait early); when it failed, back off exponentially up to a cap (wake()
 * does not hurry that: the downstream is the problem, and a new row does not
 * fix it). stop() ends any wait and returns after the round in flight.
 */
import { backoffMs } from '@tracewire/service-common';

/** What a round did: nothing to do, its work, or a failure that calls for backing off. */
export type RoundResult = 'idle' | 'done' | 'failed';

export interface PollLoopTiming {
  /** Wait after an idle round (ms). */
  pollMs: number;
  /** Longest pause after failed rounds (ms); the first is 200 ms. */
  maxBackoffMs: number;
  /**
   * Starts a pause: calls `done` after `ms` and returns a cancel function. Default setTimeout; tests
   * inject their own clock so they can hold the loop in a pause that only stop() can end.
   */
  timer?: PauseTimer;
}

export type PauseTimer = (done: () => void, ms: number) => () => void;

const realTimer: PauseTimer = (done, ms) => {
  const t = setTimeout(done, ms);
  return () => clearTimeout(t);
};

export abstract class PollLoop {
  private stopped = false;
  private failures = 0;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly timing: PollLoopTiming) {}

  protected abstract round(): Promise<RoundResult>;
  /** After a failed round: the count of failed rounds in a row and the pause chosen. */
  protected abstract onFailedRound(failures: number, retryInMs: number): void;
  /** After a round that worked following `failures` failed ones. */
  protected onRecovered(_failures: number): void {}

  protected get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends a poll wait early, e.g. after a commit left new rows. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the round in flight; work not done stays for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    const timer = this.timing.timer ?? realTimer;
    return new Promise<void>((resolve) => {
      const cancel = timer(done, ms);
      function done(): void {
        cancel();
        resolve();
      }
      this.wakeUp = wakeable ? done : () => (this.stopped ? done() : undefined);
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const result = await this.round();
      if (result === 'failed') {
        const delay = backoffMs(this.failures++, 200, this.timing.maxBackoffMs);
        this.onFailedRound(this.failures, delay);
        await this.pause(delay, false);
        continue;
      }
      if (result === 'idle') {
        await this.pause(this.timing.pollMs, true);
      } else if (this.failures > 0) {
        this.onRecovered(this.failures);
        this.failures = 0;
      }
    }
  }
}
