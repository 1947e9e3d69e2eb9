import { readFile } from 'node:fs/promises';
import { Kind, parse } from 'graphql';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { OrderStatus as SchemaOrderStatus } from '../src/__generated__/resolvers-types.js';
import type { OrderRow, OrderStatus, StatusChangeRow } from '../src/order-rows.js';

// tsc refuses this object unless its keys are exactly OrderStatus's members.
const EVERY_STATUS = { PENDING: true, PAID: true, SHIPPED: true, DELIVERED: true, CANCELLED: true } satisfies Record<OrderStatus, true>;

describe('order rows', () => {
  it('type OrderStatus as the generated schema enum, member for member (checked by npm run typecheck)', () => {
    expectTypeOf<OrderStatus>().toEqualTypeOf<SchemaOrderStatus>();
    expectTypeOf<OrderRow['status']>().toEqualTypeOf<SchemaOrderStatus>();
    expectTypeOf<StatusChangeRow['status']>().toEqualTypeOf<SchemaOrderStatus>();
  });

  it("list the same statuses as schema.graphql's enum OrderStatus", async () => {
    const schema = parse(await readFile(new URL('../schema.graphql', import.meta.url), 'utf8'));
    const statusEnum = schema.definitions.find((definition) => definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'OrderStatus');
    const values = statusEnum?.kind === Kind.ENUM_TYPE_DEFINITION ? (statusEnum.values ?? []).map((value) => value.name.value) : [];
    expect(values.sort()).toEqual(Object.keys(EVERY_STATUS).sort());
  });
});
