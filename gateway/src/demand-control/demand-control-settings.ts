/**
 * The most an operation's estimated cost may be by default (MAX_OPERATION_COST). Every SDK
 * document fits at any page size it may ask for: the largest, Orders (and MyOrders) at
 * first: 100, the API's largest page, come to ~15,700; every other SDK operation to at most ~300.
 * (sdk/query-plan-budget.json records each, and test/query-plan-budget.test.ts checks they fit.)
 */
export const DEFAULT_MAX_OPERATION_COST = 16_000;

/**
 * The size assumed for a list no `@listSize` bounds (COST_DEFAULT_LIST_SIZE). Small, because every
 * list of the shop's schema declares its own: this only prices a list a new field adds without one.
 */
export const DEFAULT_COST_LIST_SIZE = 10;

/** enforce: an operation estimated above the maximum is refused; measure: it is served, and counted. */
export type DemandControlMode = 'enforce' | 'measure';

export interface DemandControlSettings {
  mode: DemandControlMode;
  maxCost: number;
  defaultListSize: number;
}
