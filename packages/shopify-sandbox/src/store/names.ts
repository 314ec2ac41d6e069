// Word lists the generators draw from. Some entries carry non-ASCII letters, because real shops have
// them and a pipeline that mangles UTF-8 should fail the tests.

export const FIRST_NAMES = [
  'Emma', 'Liam', 'Olivia', 'Noah', 'Zoë', 'José', 'Łukasz', 'Søren', 'Amélie', 'Björn', 'Chloé', 'Mateo',
  'Aiko', 'Hiroshi', 'Priya', 'Arjun', 'Fatima', 'Omar', 'Ines', 'Jürgen', 'Siobhán', 'Nguyễn', 'Ana', 'Lucas',
] as const;

export const LAST_NAMES = [
  'Smith', 'Müller', 'García', 'Rossi', 'Dubois', 'Kowalski', 'Andersson', 'Nowak', 'Tanaka', 'Sato', 'Patel',
  "O'Brien", 'Ångström', 'Fernández', 'Jensen', 'Novák', 'Silva', 'Öztürk', 'Lefèvre', 'Brown', '山田', 'Kim',
] as const;

export interface Place {
  city: string;
  province: string | null;
  provinceCode: string | null;
  country: string;
  countryCode: string;
  zip: string;
  /** Sales tax rate applied to orders shipped there. */
  taxRate: number;
  taxTitle: string;
}

export const PLACES: readonly Place[] = [
  { city: 'New York', province: 'New York', provinceCode: 'NY', country: 'United States', countryCode: 'US', zip: '10001', taxRate: 0.08875, taxTitle: 'NY State Tax' },
  { city: 'San Francisco', province: 'California', provinceCode: 'CA', country: 'United States', countryCode: 'US', zip: '94103', taxRate: 0.0725, taxTitle: 'CA State Tax' },
  { city: 'Austin', province: 'Texas', provinceCode: 'TX', country: 'United States', countryCode: 'US', zip: '73301', taxRate: 0.0625, taxTitle: 'TX State Tax' },
  { city: 'Portland', province: 'Oregon', provinceCode: 'OR', country: 'United States', countryCode: 'US', zip: '97201', taxRate: 0, taxTitle: 'OR State Tax' },
  { city: 'Toronto', province: 'Ontario', provinceCode: 'ON', country: 'Canada', countryCode: 'CA', zip: 'M5V 2T6', taxRate: 0.13, taxTitle: 'HST' },
  { city: 'Montréal', province: 'Quebec', provinceCode: 'QC', country: 'Canada', countryCode: 'CA', zip: 'H2Y 1C6', taxRate: 0.14975, taxTitle: 'GST + QST' },
  { city: 'München', province: null, provinceCode: null, country: 'Germany', countryCode: 'DE', zip: '80331', taxRate: 0.19, taxTitle: 'DE MwSt' },
  { city: 'Paris', province: null, provinceCode: null, country: 'France', countryCode: 'FR', zip: '75002', taxRate: 0.2, taxTitle: 'FR TVA' },
  { city: 'London', province: 'England', provinceCode: 'ENG', country: 'United Kingdom', countryCode: 'GB', zip: 'EC1A 1BB', taxRate: 0.2, taxTitle: 'GB VAT' },
  { city: '東京', province: 'Tokyo', provinceCode: 'JP-13', country: 'Japan', countryCode: 'JP', zip: '100-0001', taxRate: 0.1, taxTitle: 'JP CT' },
  { city: 'São Paulo', province: 'São Paulo', provinceCode: 'SP', country: 'Brazil', countryCode: 'BR', zip: '01000-000', taxRate: 0, taxTitle: 'BR ICMS' },
  { city: 'Kraków', province: null, provinceCode: null, country: 'Poland', countryCode: 'PL', zip: '31-001', taxRate: 0.23, taxTitle: 'PL VAT' },
];

export const STREETS = ['Main St', 'Hauptstraße', 'Rue de Rivoli', 'Elm Avenue', 'Calle Mayor', 'Queen St W', 'Ulica Długa', '銀座通り', 'Baker Street'] as const;

export const ADJECTIVES = ['Classic', 'Organic', 'Vintage', 'Handmade', 'Crème', 'Everyday', 'Nordic', 'Über', 'Deluxe', 'Tiny', 'Rustic', 'Señorita'] as const;
export const NOUNS = ['T-Shirt', 'Mug', 'Backpack', 'Candle', 'Hoodie', 'Notebook', 'Sneakers', 'Teapot', '抹茶 Set', 'Scarf', 'Lamp', 'Wallet'] as const;
export const PRODUCT_TYPES = ['Apparel', 'Home', 'Accessories', 'Stationery', 'Footwear', ''] as const;
export const VENDORS = ['Acme Goods', 'Nordlicht GmbH', 'Maison Élan', 'Kyoto Crafts', 'Northwind'] as const;
export const TAGS = ['new', 'sale', 'bestseller', 'eco', 'gift', 'limited', 'vip', 'wholesale', 'été-2025'] as const;

export const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  Size: ['XS', 'S', 'M', 'L', 'XL'],
  Color: ['Black', 'White', 'Crème', 'Forest Green', 'Navy'],
  Material: ['Cotton', 'Wool', 'Linen'],
};

export const COLLECTION_TITLES = ['Home page', 'Summer Sale', 'Best sellers', 'Nouveautés', 'Gifts under $50', 'Eco Line', 'Archive', '限定'] as const;

export const LOCATION_NAMES = ['Main Warehouse', 'Berlin Lager', '東京 Pop-up', 'Toronto Outlet', 'São Paulo Hub', 'Retail Store'] as const;

export const CARRIERS = [
  { company: 'UPS', url: 'https://www.ups.com/track?tracknum=' },
  { company: 'DHL Express', url: 'https://www.dhl.com/en/express/tracking.html?AWB=' },
  { company: 'USPS', url: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=' },
  { company: 'Canada Post', url: 'https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=' },
] as const;

export const NOTES = ['Please gift wrap 🎁', 'Leave at the back door', 'Bitte nicht knicken', 'Livraison après 18h', null] as const;
