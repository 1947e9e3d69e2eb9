export function StockLabel({ stock }: { stock: number }) {
  if (stock <= 0) return <span class="stock stock-out">Out of stock</span>;
  return <span class={stock < 5 ? 'stock stock-low' : 'stock'}>{stock < 5 ? `Only ${stock} left` : `${stock} in stock`}</span>;
}
