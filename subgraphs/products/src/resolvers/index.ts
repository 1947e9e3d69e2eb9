import { DateTimeScalar } from '@shop/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { ReservedItem, StockReservation } from './StockReservation.js';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Product, StockReservation, ReservedItem };
