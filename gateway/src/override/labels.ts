import type { Schema } from '@apollo/federation-internals';
import { z } from 'zod';

/** A label composition accepts that is not a percentage: turned on by configuration (OVERRIDE_LABELS). */
const NAMED_LABEL = /^[a-zA-Z][a-zA-Z0-9_\-:./]*$/;
/** `percent(x)`, 0 ≤ x ≤ 100 with at most eight decimals: what composition accepts (federation-internals' OVERRIDE_LABEL_INVALID). */
const PERCENT_LABEL = /^percent\((\d{1,2}(?:\.\d{1,8})?|100)\)$/;

/** Labels OVERRIDE_LABELS may name at most, and the longest one: a setting, not a data set. */
export const MAX_CONFIGURED_LABELS = 32;
export const MAX_LABEL_LENGTH = 64;

/** The share of shoppers (0–100) a `percent(x)` label is on for; undefined for any other label. */
export function percentOf(label: string): number | undefined {
  const match = PERCENT_LABEL.exec(label);
  return match ? Number(match[1]) : undefined;
}

/**
 * Every `@override(label:)` the supergraph carries (its join__field's `overrideLabel`), sorted:
 * what the query planner reads too, each off unless a request's conditions turn it on.
 */
export function overrideLabelsOf(supergraph: Schema): string[] {
  const joinField = supergraph.directives().find((directive) => directive.name === 'join__field');
  const labels = new Set<string>();
  for (const application of joinField?.applications() ?? []) {
    const label: unknown = application.arguments().overrideLabel;
    if (typeof label === 'string' && label !== '') labels.add(label);
  }
  return [...labels].sort();
}

/**
 * OVERRIDE_LABELS: the named (not `percent(x)`) override labels turned on for every request,
 * comma-separated. A percentage is decided per shopper, never configured.
 */
export const overrideLabelsEnv = z
  .string()
  .transform((value) => [...new Set(value.split(',').map((label) => label.trim()).filter((label) => label !== ''))])
  .pipe(
    z
      .array(
        z
          .string()
          .max(MAX_LABEL_LENGTH)
          .refine((label) => percentOf(label) === undefined, { error: 'a percent(x) label is decided per shopper: name only other labels' })
          .refine((label) => NAMED_LABEL.test(label), { error: 'must be an @override label: a letter, then letters, digits, _ - : . /' }),
      )
      .max(MAX_CONFIGURED_LABELS),
  );
