import { ServiceUnavailableError } from '@shop/service-kit';

export interface BoundedWorkOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs waiting for a turn; one more is refused at once. */
  queueLength: number;
  /** Told of every change, for metrics: the jobs running and waiting now, and each refusal. */
  onChange?: (event: { running: number; waiting: number; refused: boolean }) => void;
}

/** Runs `job` when a slot is free; SERVICE_UNAVAILABLE at once when the slots and the queue are full. */
export type BoundedWork = (<T>(job: () => Promise<T>) => Promise<T>) & {
  readonly running: number;
  readonly waiting: number;
};

/**
 * At most `concurrency` jobs at once, at most `queueLength` more waiting in arrival order; past
 * that a job is refused without waiting, so a flood costs its senders a quick refusal and never
 * an unbounded queue (of memory, and of time for everyone behind it).
 */
export function boundedWork({ concurrency, queueLength, onChange }: BoundedWorkOptions): BoundedWork {
  let running = 0;
  const waiting: (() => void)[] = [];
  const tell = (refused = false) => onChange?.({ running, waiting: waiting.length, refused });

  const release = () => {
    const next = waiting.shift();
    // The slot passes to the next job in line, so `running` stays as it is.
    if (next) next();
    else running -= 1;
    tell();
  };

  const run = async <T>(job: () => Promise<T>): Promise<T> => {
    if (running < concurrency) {
      running += 1;
      tell();
    } else if (waiting.length < queueLength) {
      await new Promise<void>((turn) => {
        waiting.push(turn);
        tell();
      });
    } else {
      tell(true);
      throw new ServiceUnavailableError('Too many sign-ins at once; try again shortly');
    }
    try {
      return await job();
    } finally {
      release();
    }
  };

  return Object.defineProperties(run, {
    running: { get: () => running },
    waiting: { get: () => waiting.length },
  }) as BoundedWork;
}
