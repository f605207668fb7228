/** The seed's fixed cast: products (defined, with stock), people, and what they say. */
export interface SeedProduct {
  id: string;
  name: string;
  priceCents: number;
  /** Takes backorders and gets no stock: the paid orders that want it wait for some (src/seed/plan.ts). */
  backorders?: true;
}

export const SEED_PRODUCTS: readonly SeedProduct[] = [
  { id: 'seed-prod-kettle', name: 'Pour-over kettle, 1 l', priceCents: 4_990 },
  { id: 'seed-prod-grinder', name: 'Burr coffee grinder', priceCents: 12_900 },
  { id: 'seed-prod-beans-ethiopia', name: 'Ethiopia Yirgacheffe beans, 250 g', priceCents: 1_450 },
  { id: 'seed-prod-beans-colombia', name: 'Colombia Huila beans, 1 kg', priceCents: 3_800 },
  { id: 'seed-prod-dripper', name: 'Ceramic dripper', priceCents: 2_400 },
  { id: 'seed-prod-filters', name: 'Paper filters, 100 pack', priceCents: 650 },
  { id: 'seed-prod-scale', name: 'Brewing scale with timer', priceCents: 5_500 },
  { id: 'seed-prod-mug', name: 'Stoneware mug', priceCents: 1_800 },
  { id: 'seed-prod-french-press', name: 'French press, 8 cup', priceCents: 3_450 },
  { id: 'seed-prod-espresso', name: 'Espresso machine', priceCents: 64_900, backorders: true },
  { id: 'seed-prod-tamper', name: 'Stainless tamper, 58 mm', priceCents: 2_999 },
  { id: 'seed-prod-milk-jug', name: 'Milk frothing jug', priceCents: 1_990 },
  { id: 'seed-prod-descaler', name: 'Descaler, 3 doses', priceCents: 1_200 },
  { id: 'seed-prod-canister', name: 'Airtight bean canister', priceCents: 2_750 },
  { id: 'seed-prod-cold-brew', name: 'Cold brew bottle', priceCents: 2_900 },
  { id: 'seed-prod-gift-card', name: 'Gift card', priceCents: 5_000 },
];

export const SEED_PEOPLE: readonly (readonly [first: string, last: string])[] = [
  ['Amelia', 'Hart'],
  ['Noah', 'Okafor'],
  ['Sofia', 'Lindqvist'],
  ['Mateo', 'Ruiz'],
  ['Hana', 'Takahashi'],
  ['Liam', "O'Brien"],
  ['Chloé', 'Marchand'],
  ['Arjun', 'Mehta'],
  ['Zara', 'Haddad'],
  ['Lukas', 'Becker'],
  ['Isla', 'MacLeod'],
  ['Kwame', 'Mensah'],
  ['Elena', 'Popescu'],
  ['Tomás', 'Silva'],
  ['Maya', 'Cohen'],
  ['Oskar', 'Nowak'],
  ['Priya', 'Raman'],
  ['Felix', 'Andersen'],
  ['Lucía', 'Fernández'],
  ['Jonah', 'Whitaker'],
  ['Aiko', 'Mori'],
  ['Samir', 'Benali'],
  ['Freya', 'Jensen'],
  ['Daniel', 'Kim'],
];

export const PAYMENT_METHODS = [
  'credit_card',
  'credit_card',
  'credit_card',
  'paypal',
  'bank_transfer',
  'apple_pay',
] as const;

export const CANCEL_REASONS_PENDING = [
  'customer changed their mind',
  'duplicate order',
  'payment not completed in time',
  'wrong delivery address',
] as const;

export const CANCEL_REASONS_PAID = [
  'item out of stock',
  'customer requested a refund before shipping',
  'suspected fraud',
] as const;
