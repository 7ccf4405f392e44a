// Vulnerable sites (脆弱场所): schools, kindergartens, hospitals, elderly homes — places whose people need help
// first when a hazard is near. A register users import (CSV or GeoJSON, like resources); a layer of the map
// and of the zone query (docs/prepare.md "Vulnerable sites").

export const VULNERABLE_KINDS = ['school', 'kindergarten', 'hospital', 'elderly-home', 'other'] as const;
export type VulnerableKind = (typeof VULNERABLE_KINDS)[number];

export interface VulnerableSiteInput {
  kind: VulnerableKind;
  name: string;
  lon: number;
  lat: number;
  /** township code (GB/T 2260); null = the district's */
  township: string | null;
  /** the unit that runs it (主管单位) */
  unit?: string | null;
  contact?: string | null;
  /** people there at a time: pupils, beds, residents */
  capacity?: number | null;
  note?: string | null;
}

export interface VulnerableSite extends VulnerableSiteInput {
  id: string;
  updatedAt: number;
}

export const VULNERABLE_CSV_COLUMNS = ['id', 'kind', 'name', 'lon', 'lat', 'township', 'unit', 'contact', 'capacity', 'note'] as const;

const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max });

export const vulnerableSiteInputSchema = {
  $id: 'https://lookout.example/schemas/vulnerable-site.json',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'lon', 'lat'],
  properties: {
    kind: { enum: [...VULNERABLE_KINDS] },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    township: { type: ['string', 'null'], pattern: '^[0-9]{6,12}$' },
    unit: nullableText(100),
    contact: nullableText(100),
    capacity: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000 },
    note: nullableText(1000),
  },
} as const;
