import type { ComponentChildren } from 'preact';
import type { MoneyFieldsFragment } from '@shop/sdk';
import { formatMoney } from '../money.js';

/** A table's column headings, in order. */
export function ColumnHeads({ columns }: { columns: readonly ComponentChildren[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, index) => (
          <th key={index} scope="col">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/**
 * The total row under a table of lines priced by quantity (the cart's, an order's): "Total"
 * across the columns before the subtotals, the total under them, and empty cells after.
 */
export function TotalFoot({ total, columnsBefore, columnsAfter = 0 }: { total: MoneyFieldsFragment; columnsBefore: number; columnsAfter?: number }) {
  return (
    <tfoot>
      <tr>
        <th scope="row" colSpan={columnsBefore}>
          Total
        </th>
        <td class="total">{formatMoney(total)}</td>
        {Array.from({ length: columnsAfter }, (_, index) => (
          <td key={index} />
        ))}
      </tr>
    </tfoot>
  );
}
