/**
 * The invocation deadline (lambda/deadline.ts) on a manual clock: remaining time, the abort signal,
 * reserves and slices, and waiting on shared work without waiting past one's own deadline.
 */
import { BUDGET, Deadline, untilAborted } from '../../../lambda/deadline';
import { DeadlineExceededError } from '../../../lambda/errors';
import { ManualClock } from '../../support/manual-clock';

describe('Deadline', () => {
  it('counts down, never below zero', () => {
    const clock = new ManualClock();
    const deadline = Deadline.in(5_000, clock);
    expect(deadline.remainingMs()).toBe(5_000);
    clock.advance(1_200);
    expect(deadline.remainingMs()).toBe(3_800);
    clock.advance(10_000);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('takes the invocation deadline from the Lambda context, less the response margin', () => {
    const clock = new ManualClock();
    expect(Deadline.forInvocation({ getRemainingTimeInMillis: () => 7_000 }, clock).remainingMs()).toBe(7_000 - BUDGET.responseMs);
  });

  it("assumes the stack's function timeout without a context", () => {
    const clock = new ManualClock();
    expect(Deadline.forInvocation(undefined, clock).remainingMs()).toBe(10_000 - BUDGET.responseMs);
  });

  it('aborts its signal at the deadline, not before, with a DeadlineExceededError', () => {
    const clock = new ManualClock();
    const { signal } = Deadline.in(3_000, clock);
    clock.advance(2_999);
    expect(signal.aborted).toBe(false);
    clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
    expect((signal.reason as Error).message).toBe('deadline exceeded (a budget of 3000 ms)');
  });

  it('gives the same signal each time, already aborted once the deadline has passed', () => {
    const clock = new ManualClock();
    const deadline = Deadline.in(100, clock);
    expect(deadline.signal).toBe(deadline.signal);
    clock.advance(500);
    const late = Deadline.in(100, clock);
    clock.advance(100);
    expect(late.signal.aborted).toBe(true);
  });

  it('lets every call in flight listen to its signal without a listener-leak warning (a log line that is not JSON)', async () => {
    // A request with many items claims them all at once: Node's default cap of 10 listeners then warned.
    let written = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += chunk.toString();
      return true;
    });
    try {
      const { signal } = Deadline.in(1_000, new ManualClock());
      for (let i = 0; i < 50; i += 1) signal.addEventListener('abort', () => undefined);
      await new Promise((resolve) => setImmediate(resolve)); // Node emits warnings on the next tick
    } finally {
      spy.mockRestore();
    }
    expect(written).not.toContain('MaxListenersExceededWarning');
  });

  it('a child keeps a reserve back: it ends that much earlier, and its parent still has the reserve', () => {
    const clock = new ManualClock();
    const invocation = Deadline.in(9_500, clock);
    const work = invocation.child(2_000);
    expect(work.remainingMs()).toBe(7_500);
    clock.advance(7_500);
    expect(work.signal.aborted).toBe(true);
    expect(invocation.signal.aborted).toBe(false);
    expect(invocation.remainingMs()).toBe(2_000);
  });

  it('a child with a reserve larger than the time left is already over', () => {
    const clock = new ManualClock();
    const child = Deadline.in(1_000, clock).child(2_000);
    expect(child.remainingMs()).toBe(0);
    expect(child.signal.aborted).toBe(true);
  });

  it('a slice is at most its length from now, and never later than its parent', () => {
    const clock = new ManualClock();
    const work = Deadline.in(5_000, clock);
    expect(work.within(3_500).remainingMs()).toBe(3_500);
    clock.advance(3_000);
    expect(work.within(3_500).remainingMs()).toBe(2_000);
  });
});

describe('untilAborted', () => {
  it('resolves with the work when it finishes first', async () => {
    await expect(untilAborted(Promise.resolve(42), new AbortController().signal)).resolves.toBe(42);
  });

  it('passes the work’s own failure through', async () => {
    await expect(untilAborted(Promise.reject(new Error('refused')), new AbortController().signal)).rejects.toThrow('refused');
  });

  it('rejects with the reason as soon as the signal aborts, while the work goes on', async () => {
    const clock = new ManualClock();
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const waiting = untilAborted(work, Deadline.in(1_000, clock).signal);
    clock.advance(1_000);
    await expect(waiting).rejects.toBeInstanceOf(DeadlineExceededError);
    finish('late');
    await expect(work).resolves.toBe('late');
  });

  it('rejects at once for a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('over'));
    await expect(untilAborted(new Promise(() => undefined), controller.signal)).rejects.toThrow('over');
  });
});
