/**
 * How a test's stream reader waits for what arrives: `waitFor` sleeps until `ready()` holds or the
 * time is up (false then), rechecking each time the reader calls `wake` (something arrived).
 */
export function streamWaiter() {
  let wake: (() => void) | undefined;
  return {
    wake: (): void => wake?.(),
    waitFor: async (ready: () => boolean, timeoutMs: number): Promise<boolean> => {
      const deadline = Date.now() + timeoutMs;
      while (!ready()) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return true;
    },
  };
}
