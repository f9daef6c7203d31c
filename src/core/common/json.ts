/**
 * Reading untyped JSON (API objects) without trusting its shape: a field that is not what was expected reads as
 * empty, never as a crash.
 */
export type JsonRecord = Record<string, unknown>;

/** The value when it is a plain object, else an empty one. */
export function asRecord(value: unknown): JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : {};
}

/** The value's elements as plain objects (others read as empty ones), or none when it is not an array. */
export function asRecords(value: unknown): JsonRecord[] {
  return Array.isArray(value) ? value.map(asRecord) : [];
}

/** The value when it is a number, else 0. */
export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
