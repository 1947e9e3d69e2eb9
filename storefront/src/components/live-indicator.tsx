/** A quiet sign that the page updates by itself; nothing when it does not. */
export function LiveIndicator({ live, what }: { live: boolean; what: string }) {
  if (!live) return null;
  return (
    <span class="live" title={`${what} update here as they happen`}>
      Live
    </span>
  );
}
