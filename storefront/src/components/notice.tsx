import type { ComponentChildren } from 'preact';

/**
 * A message in the page. Errors are alerts (read out at once); the rest are polite status
 * updates. Rendered empty rather than absent, so the live region exists before its message.
 */
export function Notice({ kind, children }: { kind: 'error' | 'warning' | 'success'; children?: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'} hidden={children === undefined || children === ''}>
      {children}
    </div>
  );
}
