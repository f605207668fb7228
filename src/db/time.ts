/** A timestamp as either driver returns it (PGlite a Date, pg text), as ISO-8601. */
export function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
