import { requireAdmin, requireUuid, requireViewer, type Viewer } from '@shop/service-kit';

// Who asks comes before what they send: a caller without the right to a field is UNAUTHENTICATED
// or FORBIDDEN whatever id it sends, and only then is the id's shape checked (BAD_USER_INPUT), as
// products and users do. Checks that need the row itself (an order's owner) come after both.

/** `id` of a field for admins only: UNAUTHENTICATED or FORBIDDEN for anyone else; then BAD_USER_INPUT naming `field` unless it is a uuid. */
export function adminsId(viewer: Viewer | null, id: string, field = 'id'): string {
  requireAdmin(viewer);
  return requireUuid(id, field);
}

/** `id` of a field for signed-in users: UNAUTHENTICATED for anyone else; then BAD_USER_INPUT naming `field` unless it is a uuid. */
export function signedInsId(viewer: Viewer | null, id: string, field = 'id'): string {
  requireViewer(viewer);
  return requireUuid(id, field);
}
