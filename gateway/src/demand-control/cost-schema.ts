import { COST_VERSIONS, costIdentity, type DirectiveDefinition, type Schema } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';

/** A field's `@listSize`, as the IBM cost specification defines its arguments. */
export interface ListSize {
  assumedSize: number | undefined;
  /** Argument names (federation's composition refuses the dotted paths IBM's gateway allows). */
  slicingArguments: readonly string[];
  /** Fields of the returned type whose list size the slicing arguments give (a connection's `edges`, `nodes`). */
  sizedFields: ReadonlySet<string>;
  requireOneSlicingArgument: boolean;
}

/**
 * The cost declarations of a supergraph, read once per supergraph: the graphql-js schema to walk
 * operations against, and the `@cost` weights and `@listSize`s by schema coordinate
 * (`Type`, `Type.field`, `Type.field(argument:)`, `Input.field`).
 */
export interface CostSchema {
  schema: GraphQLSchema;
  weights: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
}

type CostDirectives = { cost: DirectiveDefinition | undefined; listSize: DirectiveDefinition | undefined };

/** The supergraph's `@cost` and `@listSize` definitions under whatever names its `@link` gives them; none when it links no cost spec. */
function costDirectives(schema: Schema): CostDirectives {
  const linked = schema.coreFeatures?.getByIdentity(costIdentity);
  if (!linked) return { cost: undefined, listSize: undefined };
  const spec = COST_VERSIONS.find(linked.url.version);
  if (!spec) throw new Error(`the supergraph links ${linked.url.toString()}, a version of the cost spec this gateway does not know`);
  return { cost: spec.costDirective(schema), listSize: spec.listSizeDirective(schema) };
}

const coordinateOf = (element: unknown): string => (element as { coordinate: string }).coordinate;

/** Reads a supergraph's cost declarations. A supergraph without any still costs operations, by the defaults alone. */
export function readCostSchema(supergraphSchema: Schema): CostSchema {
  const directives = costDirectives(supergraphSchema);
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  for (const application of directives.cost?.applications() ?? []) {
    weights.set(coordinateOf(application.parent), (application.arguments() as { weight: number }).weight);
  }
  for (const application of directives.listSize?.applications() ?? []) {
    const declared = application.arguments() as {
      assumedSize?: number | null;
      slicingArguments?: string[] | null;
      sizedFields?: string[] | null;
      requireOneSlicingArgument?: boolean | null;
    };
    listSizes.set(coordinateOf(application.parent), {
      assumedSize: declared.assumedSize ?? undefined,
      slicingArguments: declared.slicingArguments ?? [],
      sizedFields: new Set(declared.sizedFields ?? []),
      // The specification's default: a query names exactly one slicing argument (a default value counts).
      requireOneSlicingArgument: declared.requireOneSlicingArgument ?? true,
    });
  }
  return { schema: supergraphSchema.toGraphQLJSSchema(), weights, listSizes };
}
