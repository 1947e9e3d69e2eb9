import { BadUserInputError } from '@shop/service-kit';
import type { ProductFields } from './products-repository.js';

type ProductInput = { [Field in keyof ProductFields]?: ProductFields[Field] | null };

const CURRENCY = /^[A-Z]{3}$/;
/** Prices are int4 in the database (and GraphQL Ints). */
const MAX_PRICE_CENTS = 2_147_483_647;

/** Checks the fields a create or update gives (absent ones are skipped); BAD_USER_INPUT names the first bad one. */
export function checkProductFields(input: ProductInput): Partial<ProductFields> {
  const checked: Partial<ProductFields> = {};
  if (input.name != null) {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) throw new BadUserInputError('name must have 1 to 200 characters', 'name');
    checked.name = name;
  }
  if (input.description != null) {
    if (input.description.length > 5000) throw new BadUserInputError('description must have at most 5000 characters', 'description');
    checked.description = input.description;
  }
  if (input.priceCents != null) {
    if (input.priceCents < 0 || input.priceCents > MAX_PRICE_CENTS) {
      throw new BadUserInputError(`priceCents must be between 0 and ${MAX_PRICE_CENTS}`, 'priceCents');
    }
    checked.priceCents = input.priceCents;
  }
  if (input.currency != null) {
    if (!CURRENCY.test(input.currency)) throw new BadUserInputError('currency must be an ISO 4217 code such as EUR', 'currency');
    checked.currency = input.currency;
  }
  if (input.stock != null) {
    if (input.stock < 0) throw new BadUserInputError('stock must be 0 or more', 'stock');
    checked.stock = input.stock;
  }
  return checked;
}
