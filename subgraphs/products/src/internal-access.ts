import { ForbiddenError } from '@shop/service-kit';
import type { ProductsContext } from './context.js';

/** Internal operations answer only services presenting the credential, never a user token, admin or not. */
export function requireInternalCaller(context: ProductsContext): void {
  if (!context.internalCaller) throw new ForbiddenError('This operation is internal to the shop services');
}
