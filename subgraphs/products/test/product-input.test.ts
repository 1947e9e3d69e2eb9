import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@shop/service-kit';
import { checkProductFields } from '../src/product-input.js';

type Input = Parameters<typeof checkProductFields>[0];

const VALID = { name: 'Teapot', description: 'Holds 1.2 litres.', priceCents: 2500, currency: 'EUR', stock: 12 };

/** The error checkProductFields throws for `input`; fails the test when it throws nothing. */
function refusal(input: Input): BadUserInputError {
  try {
    checkProductFields(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return error as BadUserInputError;
  }
  return expect.fail(`expected ${JSON.stringify(input)} to be refused`);
}

describe('checkProductFields', () => {
  it('returns a complete valid input', () => {
    expect(checkProductFields(VALID)).toEqual(VALID);
  });

  it('returns the name trimmed', () => {
    expect(checkProductFields({ ...VALID, name: '  Teapot \n' }).name).toBe('Teapot');
  });

  it('skips absent and null fields, as an update gives only what changes', () => {
    expect(checkProductFields({})).toEqual({});
    expect(checkProductFields({ stock: 3 })).toEqual({ stock: 3 });
    expect(checkProductFields({ name: null, description: null, priceCents: null, currency: null, stock: null })).toEqual({});
  });

  it('keeps zero price and zero stock, which are not absent', () => {
    expect(checkProductFields({ priceCents: 0, stock: 0 })).toEqual({ priceCents: 0, stock: 0 });
  });

  it('accepts every field at its bound', () => {
    const input = { name: 'n'.repeat(200), description: 'd'.repeat(5000), priceCents: 2_147_483_647, currency: 'JPY', stock: 0 };
    expect(checkProductFields(input)).toEqual(input);
  });

  it.each<[string, Input, string]>([
    ['an empty name', { name: '' }, 'name'],
    ['a name of only spaces', { name: '   ' }, 'name'],
    ['a name of 201 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a description of 5001 characters', { description: 'd'.repeat(5001) }, 'description'],
    ['a negative priceCents', { priceCents: -1 }, 'priceCents'],
    ['a priceCents beyond a 32-bit integer', { priceCents: 2_147_483_648 }, 'priceCents'],
    ['a lower-case currency', { currency: 'eur' }, 'currency'],
    ['a four-letter currency', { currency: 'EURO' }, 'currency'],
    ['a currency symbol', { currency: '€' }, 'currency'],
    ['a negative stock', { stock: -1 }, 'stock'],
  ])('refuses %s as BAD_USER_INPUT naming the field', (_case, input, field) => {
    expect(refusal(input).extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('names the bad field even when the other fields are valid', () => {
    expect(refusal({ ...VALID, currency: 'usd' }).extensions.field).toBe('currency');
    expect(refusal({ ...VALID, stock: -5 }).extensions.field).toBe('stock');
  });
});
