/** USD amounts are kept to the cent; sums go through cents to avoid float drift. */
export const cents = (usd: number) => Math.round(usd * 100);
export const usd = (cents: number) => cents / 100;
export const lineTotal = (quantity: number, unitPriceUsd: number) => usd(quantity * cents(unitPriceUsd));
export const sum = (amounts: number[]) => usd(amounts.reduce((total, amount) => total + cents(amount), 0));
