/**
 * Runs `work` one at a time: a call while it runs makes it run once more when it is done (what
 * was asked for meanwhile is seen), however many calls came. `idle` waits until nothing runs.
 */
export function coalescingRun(work: () => Promise<void>) {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = work().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        run();
      }
    });
  };
  return {
    run,
    async idle(): Promise<void> {
      while (running) await running;
    },
  };
}
