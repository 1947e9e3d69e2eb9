import type { MoneyFieldsFragment } from '@shop/sdk';

/** Money as the shopper reads it, in the currency's own minor units (cents, or none for JPY). */
export function formatMoney({ amountCents, currency }: MoneyFieldsFragment): string {
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountCents / 10 ** digits);
}

/** What `quantity` of something priced `unitPrice` costs: a line's subtotal. */
export function timesQuantity({ amountCents, currency }: MoneyFieldsFragment, quantity: number): MoneyFieldsFragment {
  return { amountCents: amountCents * quantity, currency };
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
