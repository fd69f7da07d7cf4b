/** A Clock (lambda/deadline.ts) that moves only when a test says so: deadlines without waiting. */
import type { Clock } from '../../lambda/deadline';

export class ManualClock implements Clock {
  private time = 1_000;
  private readonly timers: Array<{ at: number; fn: () => void }> = [];

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, ms: number): void {
    this.timers.push({ at: this.time + ms, fn });
  }

  /** Moves the time on by `ms`, firing what falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.time = due.at;
      due.fn();
    }
    this.time = until;
  }

  /**
   * Lets `work` run, moving the time on in `stepMs` steps while it waits (a stalled edge ends only when
   * its signal aborts). Resolves with the result and the time at which it came.
   */
  async settle<T>(work: Promise<T>, stepMs = 50): Promise<{ value: T; at: number }> {
    let outcome: { value: T } | undefined;
    let failure: { error: unknown } | undefined;
    work.then(
      (value) => (outcome = { value }),
      (error: unknown) => (failure = { error }),
    );
    for (let step = 0; step < 10_000; step += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (failure) throw failure.error;
      if (outcome) return { value: outcome.value, at: this.time };
      this.advance(stepMs);
    }
    throw new Error('the work never finished: something waits on more than its signal');
  }
}
